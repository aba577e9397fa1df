//! What the cross-origin isolation headers mean, as pure functions of their values.
//!
//! A document is cross-origin isolated (`self.crossOriginIsolated === true`, so
//! `SharedArrayBuffer` exists and threaded WebAssembly can start) when all of these hold:
//!
//! - it is a secure context (https, or http on localhost / 127.0.0.0/8 / `[::1]`);
//! - `Cross-Origin-Opener-Policy: same-origin`;
//! - `Cross-Origin-Embedder-Policy: require-corp` or `credentialless`;
//! - no `Permissions-Policy` turns the `cross-origin-isolated` feature off.
//!
//! Under COEP every cross-origin subresource must opt in: a no-cors load (a classic
//! `<script src>` without `crossorigin`) needs `Cross-Origin-Resource-Policy` (under
//! `require-corp`; `credentialless` instead loads it without cookies), a CORS load (`fetch()`,
//! module scripts, `<script crossorigin>`) needs `Access-Control-Allow-Origin`, and a worker
//! script must be same-origin whatever the headers say.

use serde::Serialize;
use url::Url;

/// `Cross-Origin-Opener-Policy`, as a browser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coop {
    SameOrigin,
    SameOriginAllowPopups,
    NoopenerAllowPopups,
    UnsafeNone,
    Missing,
    /// Present but not a value browsers know (they treat it as `unsafe-none`).
    Invalid(String),
}

/// `Cross-Origin-Embedder-Policy`, as a browser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coep {
    RequireCorp,
    Credentialless,
    UnsafeNone,
    Missing,
    /// Present but not a value browsers know (they treat it as `unsafe-none`).
    Invalid(String),
}

/// The token of a structured-header item: the part before any `;` parameters. Several
/// header lines (joined with `,` by the HTTP layer) make the header invalid.
fn token(value: &str) -> Option<&str> {
    if value.contains(',') {
        return None;
    }
    Some(value.split(';').next().unwrap_or("").trim())
}

impl Coop {
    /// Reads the header value (`None`: header absent). Tokens are case-sensitive, as in
    /// browsers: `Same-Origin` is invalid.
    pub fn parse(value: Option<&str>) -> Coop {
        let Some(v) = value else { return Coop::Missing };
        match token(v) {
            Some("same-origin") => Coop::SameOrigin,
            Some("same-origin-allow-popups") => Coop::SameOriginAllowPopups,
            Some("noopener-allow-popups") => Coop::NoopenerAllowPopups,
            Some("unsafe-none") => Coop::UnsafeNone,
            _ => Coop::Invalid(v.trim().to_string()),
        }
    }

    /// Whether this value is the one cross-origin isolation needs.
    pub fn isolates(&self) -> bool {
        *self == Coop::SameOrigin
    }

    /// One sentence on what the value does.
    pub fn meaning(&self) -> &'static str {
        match self {
            Coop::SameOrigin => {
                "the page gets its own browsing context group; cross-origin popups and openers lose their reference to it (needed for isolation)"
            }
            Coop::SameOriginAllowPopups => {
                "keeps references to popups the page opens; not enough for cross-origin isolation (needs same-origin)"
            }
            Coop::NoopenerAllowPopups => {
                "severs the opener but not the popups; not enough for cross-origin isolation (needs same-origin)"
            }
            Coop::UnsafeNone => "the default: the page shares its browsing context group; not isolated",
            Coop::Missing => "absent, so unsafe-none: the page shares its browsing context group; not isolated",
            Coop::Invalid(_) => {
                "not a value browsers know, so treated as unsafe-none; not isolated (values are case-sensitive)"
            }
        }
    }

    /// The value as a string for reports (`None` when absent).
    pub fn value(&self) -> Option<String> {
        Some(
            match self {
                Coop::SameOrigin => "same-origin",
                Coop::SameOriginAllowPopups => "same-origin-allow-popups",
                Coop::NoopenerAllowPopups => "noopener-allow-popups",
                Coop::UnsafeNone => "unsafe-none",
                Coop::Missing => return None,
                Coop::Invalid(v) => v,
            }
            .to_string(),
        )
    }
}

impl Coep {
    /// Reads the header value (`None`: header absent).
    pub fn parse(value: Option<&str>) -> Coep {
        let Some(v) = value else { return Coep::Missing };
        match token(v) {
            Some("require-corp") => Coep::RequireCorp,
            Some("credentialless") => Coep::Credentialless,
            Some("unsafe-none") => Coep::UnsafeNone,
            _ => Coep::Invalid(v.trim().to_string()),
        }
    }

    /// Whether this value is one that allows cross-origin isolation.
    pub fn isolates(&self) -> bool {
        matches!(self, Coep::RequireCorp | Coep::Credentialless)
    }

    /// One sentence on what the value does.
    pub fn meaning(&self) -> &'static str {
        match self {
            Coep::RequireCorp => {
                "every cross-origin resource must opt in: Cross-Origin-Resource-Policy for no-cors loads, Access-Control-Allow-Origin for CORS loads; others are blocked"
            }
            Coep::Credentialless => {
                "cross-origin no-cors loads are sent without cookies instead of needing CORP; CORS loads still need Access-Control-Allow-Origin (Chromium 96+, desktop Firefox 119+; Safari ignores it, so the page is not isolated there)"
            }
            Coep::UnsafeNone => "the default: no embedder policy; not isolated",
            Coep::Missing => "absent, so unsafe-none: no embedder policy; not isolated",
            Coep::Invalid(_) => {
                "not a value browsers know, so treated as unsafe-none; not isolated (values are case-sensitive)"
            }
        }
    }

    /// The value as a string for reports (`None` when absent).
    pub fn value(&self) -> Option<String> {
        Some(
            match self {
                Coep::RequireCorp => "require-corp",
                Coep::Credentialless => "credentialless",
                Coep::UnsafeNone => "unsafe-none",
                Coep::Missing => return None,
                Coep::Invalid(v) => v,
            }
            .to_string(),
        )
    }
}

/// Whether a document at `url` is a secure context: https, or http on a loopback host
/// (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`), which browsers treat as trustworthy.
pub fn is_secure_context(url: &Url) -> bool {
    match url.scheme() {
        "https" | "wss" => true,
        "http" | "ws" => match url.host() {
            Some(url::Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost")
            }
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// Whether a `Permissions-Policy` value turns `cross-origin-isolated` off for the page
/// itself: `cross-origin-isolated=()` (an empty allowlist), or a list of origins without
/// `self` or `*`.
pub fn permissions_policy_disables_isolation(value: Option<&str>) -> bool {
    let Some(value) = value else { return false };
    for member in value.split(',') {
        let Some((key, list)) = member.split_once('=') else {
            continue;
        };
        if key.trim() != "cross-origin-isolated" {
            continue;
        }
        let list = list.split(';').next().unwrap_or("").trim();
        if list == "*" || list == "self" {
            return false;
        }
        let inner = list.trim_start_matches('(').trim_end_matches(')');
        return !inner
            .split_whitespace()
            .any(|item| item == "self" || item == "*");
    }
    false
}

/// How the browser requests a resource, which decides what a cross-origin one needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A classic `<script src>` (no `crossorigin`) or `importScripts()`: a no-cors load.
    Script,
    /// A module script, a static or dynamic `import`, `<script crossorigin>` or
    /// `<link rel=modulepreload>`: a CORS load.
    CorsScript,
    /// `new Worker(...)` / `new SharedWorker(...)`: must be same-origin.
    Worker,
    /// A `.wasm` file, fetched with `fetch()` (a CORS load) by WebAssembly glue code.
    Wasm,
    /// `new URL('x', import.meta.url)` of something else: load mode unknown.
    Asset,
}

impl Kind {
    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Script => "script",
            Kind::CorsScript => "cors-script",
            Kind::Worker => "worker",
            Kind::Wasm => "wasm",
            Kind::Asset => "asset",
        }
    }

    /// Whether the body is JavaScript worth scanning for further references.
    pub fn is_script(self) -> bool {
        matches!(self, Kind::Script | Kind::CorsScript | Kind::Worker)
    }
}

/// The outcome of checking one resource against the page's embedder policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Loads; the string says why.
    Allowed(String),
    /// Blocked by COEP (so only when COEP is on).
    BlockedByCoep(String),
    /// Blocked whatever COEP says (a failed CORS check, a cross-origin worker).
    BlockedAlways(String),
}

/// Approximates "same site" (scheme plus registrable domain) without a public-suffix list:
/// IP addresses and single-label hosts must match exactly, other hosts on their last two
/// labels. Ports never matter.
pub fn same_site(a: &Url, b: &Url) -> bool {
    if a.scheme() != b.scheme() {
        return false;
    }
    let (Some(ha), Some(hb)) = (a.host_str(), b.host_str()) else {
        return false;
    };
    let ha = ha.trim_end_matches('.').to_ascii_lowercase();
    let hb = hb.trim_end_matches('.').to_ascii_lowercase();
    let is_domain = |u: &Url| matches!(u.host(), Some(url::Host::Domain(_)));
    if !is_domain(a) || !is_domain(b) {
        return ha == hb;
    }
    let site = |h: &str| -> String {
        let labels: Vec<&str> = h.split('.').collect();
        labels[labels.len().saturating_sub(2)..].join(".")
    };
    site(&ha) == site(&hb)
}

/// Whether `Access-Control-Allow-Origin` lets `origin` (serialized, e.g.
/// `https://app.example`) read the response of a request without credentials.
pub fn cors_allows(acao: Option<&str>, origin: &str) -> bool {
    match acao.map(str::trim) {
        Some("*") => true,
        Some(v) => v == origin,
        None => false,
    }
}

/// Whether `Cross-Origin-Resource-Policy` lets `page` embed the resource at `res`.
pub fn corp_allows(corp: Option<&str>, page: &Url, res: &Url) -> bool {
    match corp.map(|c| c.split(';').next().unwrap_or("").trim()) {
        Some("cross-origin") => true,
        Some("same-site") => same_site(page, res),
        Some("same-origin") => page.origin() == res.origin(),
        _ => false,
    }
}

/// Checks whether a resource of `kind` at `res` (its final URL, after redirects) loads in a
/// page at `page` under `coep`. `corp` and `acao` are the resource's
/// `Cross-Origin-Resource-Policy` and `Access-Control-Allow-Origin` values. When the page
/// has no isolating COEP, pass `Coep::RequireCorp` to learn what turning it on would block.
pub fn access(
    kind: Kind,
    page: &Url,
    res: &Url,
    coep: &Coep,
    corp: Option<&str>,
    acao: Option<&str>,
) -> Access {
    let page_origin = page.origin().ascii_serialization();
    if page.origin() == res.origin() {
        return Access::Allowed("same-origin".into());
    }
    let cors_ok = cors_allows(acao, &page_origin);
    let corp_ok = corp_allows(corp, page, res);
    let acao_text = match acao {
        Some(v) => format!("Access-Control-Allow-Origin is {v:?}, not {page_origin} or *"),
        None => "no Access-Control-Allow-Origin".to_string(),
    };
    let corp_text = match corp {
        Some(v) => format!("Cross-Origin-Resource-Policy is {v:?}"),
        None => "no Cross-Origin-Resource-Policy".to_string(),
    };
    match kind {
        Kind::Worker => Access::BlockedAlways(
            "cross-origin worker script: new Worker() only takes same-origin URLs (SecurityError); serve it from the page's origin".into(),
        ),
        Kind::CorsScript | Kind::Wasm => {
            if cors_ok {
                Access::Allowed("cross-origin, CORS allows the page origin".into())
            } else {
                let how = if kind == Kind::Wasm {
                    "fetch() of a cross-origin .wasm is a CORS request"
                } else {
                    "a module or crossorigin script is a CORS request"
                };
                Access::BlockedAlways(format!(
                    "cross-origin, {acao_text}: {how}, so it fails{}",
                    if corp_ok {
                        " (Cross-Origin-Resource-Policy does not replace CORS there)"
                    } else {
                        ""
                    }
                ))
            }
        }
        Kind::Script => {
            if corp_ok {
                Access::Allowed("cross-origin, Cross-Origin-Resource-Policy allows it".into())
            } else if *coep == Coep::Credentialless {
                Access::Allowed(
                    "cross-origin no-cors load without CORP: loaded without cookies under credentialless".into(),
                )
            } else {
                Access::BlockedByCoep(format!(
                    "cross-origin, {corp_text}: COEP require-corp blocks it; send Cross-Origin-Resource-Policy: cross-origin, or load it with crossorigin and CORS"
                ))
            }
        }
        Kind::Asset => {
            if corp_ok || cors_ok {
                Access::Allowed("cross-origin, allowed by CORP or CORS".into())
            } else if *coep == Coep::Credentialless {
                Access::Allowed(format!(
                    "cross-origin, {acao_text}: loads without cookies if loaded no-cors under credentialless; a fetch() of it would fail"
                ))
            } else {
                Access::BlockedByCoep(format!(
                    "cross-origin, {corp_text} and {acao_text}: COEP require-corp blocks it"
                ))
            }
        }
    }
}

/// Whether a `Content-Type` value is `application/wasm` (parameters and case ignored).
pub fn is_wasm_content_type(ct: Option<&str>) -> bool {
    ct.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/wasm")
    })
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn coop_values() {
        assert_eq!(Coop::parse(Some("same-origin")), Coop::SameOrigin);
        assert_eq!(
            Coop::parse(Some(" same-origin; report-to=\"x\"")),
            Coop::SameOrigin
        );
        assert!(!Coop::parse(Some("same-origin-allow-popups")).isolates());
        assert!(matches!(Coop::parse(Some("Same-Origin")), Coop::Invalid(_)));
        assert!(matches!(
            Coop::parse(Some("same-origin, same-origin")),
            Coop::Invalid(_)
        ));
        assert_eq!(Coop::parse(None), Coop::Missing);
        assert_eq!(Coop::Missing.value(), None);
    }

    #[test]
    fn coep_values() {
        assert!(Coep::parse(Some("require-corp")).isolates());
        assert!(Coep::parse(Some("credentialless")).isolates());
        assert!(!Coep::parse(Some("unsafe-none")).isolates());
        assert!(!Coep::parse(Some("require_corp")).isolates());
        assert!(!Coep::parse(None).isolates());
    }

    #[test]
    fn secure_contexts() {
        assert!(is_secure_context(&u("https://example.com/")));
        assert!(is_secure_context(&u("http://localhost:8080/")));
        assert!(is_secure_context(&u("http://app.localhost/")));
        assert!(is_secure_context(&u("http://127.0.0.1:1/")));
        assert!(is_secure_context(&u("http://127.1.2.3/")));
        assert!(is_secure_context(&u("http://[::1]/")));
        assert!(!is_secure_context(&u("http://example.com/")));
        assert!(!is_secure_context(&u("http://192.168.1.2/")));
    }

    #[test]
    fn permissions_policy() {
        assert!(!permissions_policy_disables_isolation(None));
        assert!(permissions_policy_disables_isolation(Some(
            "geolocation=(), cross-origin-isolated=()"
        )));
        assert!(!permissions_policy_disables_isolation(Some(
            "cross-origin-isolated=(self)"
        )));
        assert!(!permissions_policy_disables_isolation(Some(
            "cross-origin-isolated=*"
        )));
        assert!(permissions_policy_disables_isolation(Some(
            "cross-origin-isolated=(\"https://other.example\")"
        )));
        assert!(!permissions_policy_disables_isolation(Some("camera=()")));
    }

    #[test]
    fn sites() {
        assert!(same_site(
            &u("http://127.0.0.1:1/"),
            &u("http://127.0.0.1:2/")
        ));
        assert!(same_site(
            &u("https://a.example.com/"),
            &u("https://cdn.example.com/")
        ));
        assert!(!same_site(
            &u("http://a.example.com/"),
            &u("https://a.example.com/")
        ));
        assert!(!same_site(&u("https://a.com/"), &u("https://b.com/")));
    }

    #[test]
    fn access_rules() {
        let page = u("https://app.example/");
        let cdn = u("https://cdn.other/x");
        let rc = Coep::RequireCorp;
        let origin = Some("https://app.example");
        assert_eq!(
            access(
                Kind::Wasm,
                &page,
                &u("https://app.example/a.wasm"),
                &rc,
                None,
                None
            ),
            Access::Allowed("same-origin".into())
        );
        assert!(matches!(
            access(Kind::Wasm, &page, &cdn, &rc, Some("cross-origin"), None),
            Access::BlockedAlways(_)
        ));
        assert!(matches!(
            access(Kind::Wasm, &page, &cdn, &rc, None, Some("*")),
            Access::Allowed(_)
        ));
        assert!(matches!(
            access(Kind::CorsScript, &page, &cdn, &rc, None, origin),
            Access::Allowed(_)
        ));
        assert!(matches!(
            access(Kind::CorsScript, &page, &cdn, &rc, None, Some("https://x")),
            Access::BlockedAlways(_)
        ));
        assert!(matches!(
            access(Kind::Script, &page, &cdn, &rc, None, Some("*")),
            Access::BlockedByCoep(_)
        ));
        assert!(matches!(
            access(Kind::Script, &page, &cdn, &rc, Some("cross-origin"), None),
            Access::Allowed(_)
        ));
        assert!(matches!(
            access(Kind::Script, &page, &cdn, &Coep::Credentialless, None, None),
            Access::Allowed(_)
        ));
        assert!(matches!(
            access(Kind::Script, &page, &cdn, &rc, Some("same-site"), None),
            Access::BlockedByCoep(_)
        ));
        assert!(matches!(
            access(
                Kind::Worker,
                &page,
                &cdn,
                &rc,
                Some("cross-origin"),
                Some("*")
            ),
            Access::BlockedAlways(_)
        ));
        assert!(matches!(
            access(Kind::Asset, &page, &cdn, &rc, None, None),
            Access::BlockedByCoep(_)
        ));
    }

    #[test]
    fn wasm_type() {
        assert!(is_wasm_content_type(Some("application/wasm")));
        assert!(is_wasm_content_type(Some(
            "Application/WASM; charset=binary"
        )));
        assert!(!is_wasm_content_type(Some("application/octet-stream")));
        assert!(!is_wasm_content_type(None));
    }
}
