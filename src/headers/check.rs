//! `guardmin headers check`: fetch a page, read its isolation headers, and with `--deep`
//! follow what it loads, then decide whether `self.crossOriginIsolated` would be true and
//! whether anything the threaded path needs would be blocked.

use super::fetch::{Client, Response};
use super::policy::{self, Access, Coep, Coop, Kind};
use super::refs::{self, Against, Ref};
use serde::Serialize;
use std::collections::{HashSet, VecDeque};
use url::Url;

/// At most this many resources are fetched by `--deep`.
pub const MAX_RESOURCES: usize = 200;

/// One isolation header as the page sent it.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderInfo {
    pub name: &'static str,
    /// The value, `null` when the header is absent.
    pub value: Option<String>,
    /// Whether the value allows cross-origin isolation.
    pub ok: bool,
    pub meaning: &'static str,
}

/// What happened to one resource checked by `--deep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Loads, and nothing to warn about.
    Ok,
    /// Loads, with a warning (see `warnings`).
    Warning,
    /// Would be blocked (see `problems`).
    Blocked,
    /// Could not be fetched (see `warnings`).
    Error,
}

/// One resource checked by `--deep`.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// The URL requested.
    pub url: String,
    /// Where redirects ended, when that differs from `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    pub kind: Kind,
    /// `page`, `inline script`, or the URL of the script that references it.
    pub found_in: String,
    pub cross_origin: bool,
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub corp: Option<String>,
    pub acao: Option<String>,
    pub outcome: Outcome,
    /// A short reason for the outcome.
    pub note: String,
}

/// The result of a check that reached the server.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub url: String,
    /// The page after redirects.
    pub final_url: String,
    pub status: u16,
    pub coop: HeaderInfo,
    pub coep: HeaderInfo,
    /// https, or http on a loopback host.
    pub secure_context: bool,
    /// A `Permissions-Policy` turning `cross-origin-isolated` off.
    pub permissions_policy_blocks: bool,
    /// Whether `self.crossOriginIsolated` would be true.
    pub cross_origin_isolated: bool,
    /// Whether the threaded WebAssembly path would be taken: isolated, and (with `--deep`)
    /// nothing it loads blocked.
    pub threaded: bool,
    pub deep: bool,
    pub resources: Vec<Resource>,
    /// Why the page is not isolated, and what would be blocked. Non-empty means exit 1.
    pub problems: Vec<String>,
    /// Things that do not stop isolation but cost speed or may break in some browsers.
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
    pub exit_code: i32,
}

/// A resource waiting to be fetched.
struct Pending {
    url: Url,
    kind: Kind,
    found_in: String,
    /// What `Against::Document` references in its body resolve against.
    doc_base: Url,
}

/// Checks `url`. `Err` is a one-line reason the check itself failed (exit 2).
pub fn check(url: &Url, deep: bool, client: &Client) -> Result<Report, String> {
    let page = client.get(url, None, deep)?;
    if page.status >= 400 {
        return Err(format!(
            "{} answered HTTP {}, not a page",
            page.url, page.status
        ));
    }
    let final_url = page.url.clone();
    let coop = Coop::parse(page.header("cross-origin-opener-policy").as_deref());
    let coep = Coep::parse(page.header("cross-origin-embedder-policy").as_deref());
    let secure_context = policy::is_secure_context(&final_url);
    let permissions_policy_blocks =
        policy::permissions_policy_disables_isolation(page.header("permissions-policy").as_deref());
    let cross_origin_isolated =
        coop.isolates() && coep.isolates() && secure_context && !permissions_policy_blocks;

    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    if !coop.isolates() {
        problems.push(match coop.value() {
            None => "missing header Cross-Origin-Opener-Policy (needs same-origin)".to_string(),
            Some(v) => format!("Cross-Origin-Opener-Policy is {v:?}; it needs to be same-origin"),
        });
    }
    if !coep.isolates() {
        problems.push(match coep.value() {
            None => "missing header Cross-Origin-Embedder-Policy (needs require-corp or credentialless)"
                .to_string(),
            Some(v) => format!(
                "Cross-Origin-Embedder-Policy is {v:?}; it needs to be require-corp or credentialless"
            ),
        });
    }
    for (name, ok) in [
        ("Cross-Origin-Opener-Policy", coop.isolates()),
        ("Cross-Origin-Embedder-Policy", coep.isolates()),
    ] {
        let ro = format!("{name}-Report-Only");
        if let Some(v) = page.header(&ro) {
            if !ok {
                notes.push(format!(
                    "{ro}: {v} only reports violations; it does not isolate the page"
                ));
            }
        }
    }
    if !secure_context {
        problems.push(format!(
            "{final_url} is not a secure context (plain http on a host other than localhost): browsers never isolate it; serve it over https"
        ));
    }
    if permissions_policy_blocks {
        problems.push(
            "Permissions-Policy turns the cross-origin-isolated feature off for this page".into(),
        );
    }
    if coep == Coep::Credentialless {
        notes.push(
            "COEP credentialless isolates in Chromium 96+ and desktop Firefox 119+; Safari does not support it, so there the page is not isolated (require-corp works everywhere)".into(),
        );
    }
    if final_url != *url {
        notes.push(format!("followed redirects from {url} to {final_url}"));
    }

    let mut resources = Vec::new();
    if deep {
        crawl(
            &page,
            &coep,
            client,
            &mut resources,
            &mut problems,
            &mut warnings,
            &mut notes,
        );
    } else if cross_origin_isolated {
        notes.push(
            "headers only: run with --deep to also check the scripts, workers and .wasm files the page loads".into(),
        );
    }
    let threaded = cross_origin_isolated && problems.is_empty();
    Ok(Report {
        url: url.to_string(),
        final_url: final_url.to_string(),
        status: page.status,
        coop: HeaderInfo {
            name: "Cross-Origin-Opener-Policy",
            value: coop.value(),
            ok: coop.isolates(),
            meaning: coop.meaning(),
        },
        coep: HeaderInfo {
            name: "Cross-Origin-Embedder-Policy",
            value: coep.value(),
            ok: coep.isolates(),
            meaning: coep.meaning(),
        },
        secure_context,
        permissions_policy_blocks,
        cross_origin_isolated,
        threaded,
        deep,
        resources,
        exit_code: if threaded { 0 } else { 1 },
        problems,
        warnings,
        notes,
    })
}

/// Resolves `r` found in a script at `script` (the page's base URL for the page itself) in
/// a document whose base URL is `doc_base`. Only http(s) results are kept.
fn resolve(r: &Ref, script: &Url, doc_base: &Url) -> Option<Url> {
    let base = match r.against {
        Against::Document => doc_base,
        Against::Script => script,
    };
    let mut u = base.join(&r.spec).ok()?;
    u.set_fragment(None);
    matches!(u.scheme(), "http" | "https").then_some(u)
}

/// Queues `r`, found in `found_in` (a script at `script`, in a document based at `base`).
fn enqueue(queue: &mut VecDeque<Pending>, r: &Ref, found_in: &str, script: &Url, base: &Url) {
    if let Some(url) = resolve(r, script, base) {
        queue.push_back(Pending {
            url,
            kind: r.kind,
            found_in: found_in.to_string(),
            doc_base: base.clone(),
        });
    }
}

/// Fetches the page's scripts, workers and `.wasm` files (and what those scripts
/// reference, breadth first), recording each in `resources` and what it means in the lists.
fn crawl(
    page: &Response,
    coep: &Coep,
    client: &Client,
    resources: &mut Vec<Resource>,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let page_url = &page.url;
    let html = refs::scan_html(page.body.as_deref().unwrap_or(""));
    let doc_base = html
        .base_href
        .as_deref()
        .and_then(|b| page_url.join(b).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut queue = VecDeque::new();
    for r in &html.refs {
        enqueue(&mut queue, r, "page", &doc_base, &doc_base);
    }
    for body in &html.inline_scripts {
        for r in refs::scan_js(body) {
            enqueue(&mut queue, &r, "inline script", &doc_base, &doc_base);
        }
    }
    let page_origin = page_url.origin().ascii_serialization();
    // Without an isolating COEP, judge resources as if require-corp were turned on.
    let effective = if coep.isolates() {
        coep.clone()
    } else {
        Coep::RequireCorp
    };
    let mut seen = HashSet::new();
    while let Some(p) = queue.pop_front() {
        if !seen.insert(p.url.to_string()) {
            continue;
        }
        if resources.len() >= MAX_RESOURCES {
            notes.push(format!(
                "stopped after {MAX_RESOURCES} resources; the rest were not checked"
            ));
            break;
        }
        let cross_origin = p.url.origin() != page_url.origin();
        let want_body = p.kind.is_script()
            || (p.kind == Kind::Asset && {
                let path = p.url.path().to_ascii_lowercase();
                path.ends_with(".js") || path.ends_with(".mjs")
            });
        let label = p.kind.label();
        let mut res = Resource {
            url: p.url.to_string(),
            final_url: None,
            kind: p.kind,
            found_in: p.found_in.clone(),
            cross_origin,
            status: None,
            content_type: None,
            corp: None,
            acao: None,
            outcome: Outcome::Ok,
            note: String::new(),
        };
        let origin = cross_origin.then_some(page_origin.as_str());
        let resp = match client.get(&p.url, origin, want_body) {
            Ok(r) => r,
            Err(reason) => {
                res.outcome = Outcome::Error;
                res.note = reason.clone();
                warnings.push(format!(
                    "could not fetch {label} {} (found in {}): {reason}",
                    p.url, p.found_in
                ));
                resources.push(res);
                continue;
            }
        };
        if resp.url != p.url {
            res.final_url = Some(resp.url.to_string());
            res.cross_origin = resp.url.origin() != page_url.origin();
        }
        res.status = Some(resp.status);
        res.content_type = resp.header("content-type");
        res.corp = resp.header("cross-origin-resource-policy");
        res.acao = resp.header("access-control-allow-origin");
        if resp.status >= 400 {
            res.outcome = Outcome::Warning;
            res.note = format!("HTTP {}", resp.status);
            warnings.push(format!(
                "{label} {} (found in {}) answered HTTP {}: the app cannot load it",
                resp.url, p.found_in, resp.status
            ));
            resources.push(res);
            continue;
        }
        match policy::access(
            p.kind,
            page_url,
            &resp.url,
            &effective,
            res.corp.as_deref(),
            res.acao.as_deref(),
        ) {
            Access::Allowed(why) => res.note = why,
            Access::BlockedAlways(why) => {
                res.outcome = Outcome::Blocked;
                problems.push(format!(
                    "blocked: {label} {} (found in {}): {why}",
                    resp.url, p.found_in
                ));
                res.note = why;
            }
            Access::BlockedByCoep(why) => {
                if coep.isolates() {
                    res.outcome = Outcome::Blocked;
                    problems.push(format!(
                        "blocked: {label} {} (found in {}): {why}",
                        resp.url, p.found_in
                    ));
                } else {
                    res.outcome = Outcome::Warning;
                    warnings.push(format!(
                        "{label} {} (found in {}) would be blocked once COEP require-corp is on: {why}",
                        resp.url, p.found_in
                    ));
                }
                res.note = why;
            }
        }
        if p.kind == Kind::Wasm && !policy::is_wasm_content_type(res.content_type.as_deref()) {
            let served = res.content_type.as_deref().unwrap_or("no Content-Type");
            warnings.push(format!(
                "{} is served as {served}, not application/wasm: WebAssembly.instantiateStreaming() rejects it, so streaming compilation fails and the glue falls back to downloading, then compiling (slower startup; Emscripten logs \"wasm streaming compile failed\")",
                resp.url
            ));
            if res.outcome == Outcome::Ok {
                res.outcome = Outcome::Warning;
                res.note = format!("{}; served as {served}", res.note);
            }
        }
        if p.kind == Kind::Worker
            && coep.isolates()
            && !res.cross_origin
            && !Coep::parse(resp.header("cross-origin-embedder-policy").as_deref()).isolates()
        {
            warnings.push(format!(
                "worker script {} has no Cross-Origin-Embedder-Policy: under the HTML spec a browser refuses to start a dedicated worker without one from a page that has COEP; send the headers on every response",
                resp.url
            ));
            if res.outcome == Outcome::Ok {
                res.outcome = Outcome::Warning;
                res.note = format!("{}; no COEP on the worker script", res.note);
            }
        }
        if let Some(body) = &resp.body {
            let found_in = resp.url.to_string();
            // Inside a worker, the "document" base is the worker's own URL.
            let base = if p.kind == Kind::Worker {
                resp.url.clone()
            } else {
                p.doc_base.clone()
            };
            for r in refs::scan_js(body) {
                enqueue(&mut queue, &r, &found_in, &resp.url, &base);
            }
        }
        resources.push(res);
    }
    if resources.is_empty() {
        notes.push("--deep found no scripts, workers or .wasm files in the page".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        let page = Url::parse("https://a.example/app/index.html").unwrap();
        let script = Url::parse("https://a.example/static/js/main.js").unwrap();
        let r = |spec: &str, against| Ref {
            spec: spec.into(),
            kind: Kind::Wasm,
            against,
        };
        assert_eq!(
            resolve(&r("x.wasm", Against::Script), &script, &page)
                .unwrap()
                .as_str(),
            "https://a.example/static/js/x.wasm"
        );
        assert_eq!(
            resolve(&r("w.js#frag", Against::Document), &script, &page)
                .unwrap()
                .as_str(),
            "https://a.example/app/w.js"
        );
        assert!(resolve(&r("ftp://x/y.wasm", Against::Script), &script, &page).is_none());
    }
}
