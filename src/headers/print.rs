//! `guardmin headers print`: the cross-origin isolation configuration for common servers,
//! each with a comment on what it costs for cross-origin resources.
//!
//! Snippets in a format that has comments carry the explanation inline. The two JSON
//! snippets (Vercel's `vercel.json`, Firebase's `firebase.json`) are printed as plain JSON
//! on stdout, so they can be redirected into a file, and the explanation goes to stderr.

use clap::ValueEnum;

/// The servers and hosts `print` knows.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Nginx,
    Apache,
    Caddy,
    Express,
    Netlify,
    Vercel,
    Firebase,
    Cloudflare,
    /// Vite's dev server (`server.headers`, which `vite preview` also uses unless
    /// `preview.headers` is set); with --preview, `preview.headers` only.
    Vite,
}

impl Server {
    /// Every server, in `--help` order.
    pub const ALL: [Server; 9] = [
        Server::Nginx,
        Server::Apache,
        Server::Caddy,
        Server::Express,
        Server::Netlify,
        Server::Vercel,
        Server::Firebase,
        Server::Cloudflare,
        Server::Vite,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Server::Nginx => "nginx",
            Server::Apache => "apache",
            Server::Caddy => "caddy",
            Server::Express => "express",
            Server::Netlify => "netlify",
            Server::Vercel => "vercel",
            Server::Firebase => "firebase",
            Server::Cloudflare => "cloudflare",
            Server::Vite => "vite",
        }
    }
}

/// The `Cross-Origin-Embedder-Policy` value a snippet sets.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CoepValue {
    /// Works in every browser; cross-origin resources must send CORP or CORS.
    #[default]
    RequireCorp,
    /// Chromium 96+ and desktop Firefox 119+ only; cross-origin no-cors loads go without cookies.
    Credentialless,
}

impl CoepValue {
    pub fn as_str(self) -> &'static str {
        match self {
            CoepValue::RequireCorp => "require-corp",
            CoepValue::Credentialless => "credentialless",
        }
    }
}

/// A snippet: `text` for stdout, and for JSON formats a `note` for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub note: Option<String>,
}

/// The explanation every snippet carries, one line per entry.
const TRADE_OFF: &[&str] = &[
    "Cross-origin isolation for threaded WebAssembly (SharedArrayBuffer, Emscripten pthreads,",
    "tfjs's threaded SIMD backend). Without both headers self.crossOriginIsolated is false and",
    "threaded code silently falls back to one thread. Send them on the page and, best, on every",
    "response: a dedicated worker's script needs COEP too.",
    "",
    "Trade-off: with COEP require-corp the browser blocks every cross-origin resource that does",
    "not opt in. No-cors loads (<script src> without crossorigin, <img>, <video>) need",
    "\"Cross-Origin-Resource-Policy: cross-origin\" from their server; CORS loads (fetch() of a",
    ".wasm, module scripts, <script crossorigin>) need Access-Control-Allow-Origin. Workers must",
    "be same-origin. If you cannot change those servers, COEP credentialless loads no-cors",
    "cross-origin resources without cookies instead of blocking them (Chromium 96+, desktop",
    "Firefox 119+; Safari does not support it, so there the page stays not isolated).",
    "COOP same-origin also cuts the link to cross-origin popups (OAuth or payment windows that",
    "postMessage back to window.opener).",
    "Serve .wasm as application/wasm, or WebAssembly streaming compilation fails and falls back",
    "to a slower download-then-compile.",
    "",
    "Check the result: guardmin headers check --deep https://your.site/",
];

/// The explanation as comment lines starting with `prefix` (`"#"`, `"//"`).
fn comment(prefix: &str) -> String {
    let mut s = String::new();
    for line in TRADE_OFF {
        if line.is_empty() {
            s.push_str(prefix);
        } else {
            s.push_str(&format!("{prefix} {line}"));
        }
        s.push('\n');
    }
    s
}

/// `vite.config.js` for `vite` and `vite preview` (`preview`: for `vite preview` only).
fn vite(coep: &str, preview: bool) -> String {
    let (key, where_) = if preview {
        (
            "preview",
            "// vite.config.js (or .ts, .mjs): preview.headers, for `vite preview` only; the dev server
// (`vite`) is left as it is. Merge `preview` into an existing defineConfig({ ... }).",
        )
    } else {
        (
            "server",
            "// vite.config.js (or .ts, .mjs): server.headers, for the dev server (`vite`); `vite preview`
// uses them too while preview.headers is not set. Merge `server` into an existing
// defineConfig({ ... }). For `vite preview` only: guardmin headers print --for vite --preview",
        )
    };
    format!(
        "{}//
{where_}
// Vite serves .wasm as application/wasm already. In production, the server that hosts
// dist/ needs the headers too: guardmin headers print --for nginx (or your host).
import {{ defineConfig }} from 'vite';

export default defineConfig({{
  {key}: {{
    headers: {{
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': '{coep}',
    }},
  }},
}});
",
        comment("//")
    )
}

/// The snippet for `server`, setting COEP to `coep`.
pub fn snippet(server: Server, coep: CoepValue) -> Snippet {
    snippet_for(server, coep, false)
}

/// [`snippet`]; `preview` (Vite only): `preview.headers`, for `vite preview` alone.
pub fn snippet_for(server: Server, coep: CoepValue, preview: bool) -> Snippet {
    let coep = coep.as_str();
    let (text, note) = match server {
        Server::Vite => (vite(coep, preview), None),
        Server::Nginx => (
            format!(
                "{}#\n\
# Inside the server {{ }} block that serves the page, its scripts, workers and .wasm files.\n\
# add_header is inherited only by locations with no add_header of their own: repeat these\n\
# two lines in any such location. \"always\" also sends them with error responses.\n\
add_header Cross-Origin-Opener-Policy \"same-origin\" always;\n\
add_header Cross-Origin-Embedder-Policy \"{coep}\" always;\n\
\n\
# .wasm as application/wasm: a recent mime.types (include /etc/nginx/mime.types;) maps it\n\
# already (Debian 12's nginx 1.22 does). With an older one, add \"application/wasm wasm;\"\n\
# to it, or uncomment:\n\
# location ~* \\.wasm$ {{\n\
#     types {{ }}\n\
#     default_type application/wasm;\n\
# }}\n",
                comment("#")
            ),
            None,
        ),
        Server::Apache => (
            format!(
                "{}#\n\
# In the <VirtualHost> or an .htaccess file; needs mod_headers (a2enmod headers).\n\
# \"always\" also sends them with error responses.\n\
Header always set Cross-Origin-Opener-Policy \"same-origin\"\n\
Header always set Cross-Origin-Embedder-Policy \"{coep}\"\n\
AddType application/wasm .wasm\n",
                comment("#")
            ),
            None,
        ),
        Server::Caddy => (
            format!(
                "{}#\n\
# Inside the site block of the Caddyfile. file_server already serves .wasm as\n\
# application/wasm.\n\
header {{\n\
\tCross-Origin-Opener-Policy \"same-origin\"\n\
\tCross-Origin-Embedder-Policy \"{coep}\"\n\
}}\n",
                comment("#")
            ),
            None,
        ),
        Server::Express => (
            format!(
                "{}//\n\
// Before express.static() and your routes.\n\
app.use((req, res, next) => {{\n\
  res.set('Cross-Origin-Opener-Policy', 'same-origin');\n\
  res.set('Cross-Origin-Embedder-Policy', '{coep}');\n\
  next();\n\
}});\n\
// express.static() serves .wasm as application/wasm; to say so explicitly:\n\
app.use(express.static('dist', {{\n\
  setHeaders(res, path) {{\n\
    if (path.endsWith('.wasm')) res.type('application/wasm');\n\
  }},\n\
}}));\n",
                comment("//")
            ),
            None,
        ),
        Server::Netlify => (
            format!(
                "{}#\n\
# The file _headers in the publish directory (or [[headers]] in netlify.toml).\n\
# Netlify serves .wasm as application/wasm already.\n\
/*\n\
  Cross-Origin-Opener-Policy: same-origin\n\
  Cross-Origin-Embedder-Policy: {coep}\n",
                comment("#")
            ),
            None,
        ),
        Server::Cloudflare => (
            format!(
                "{}#\n\
# Cloudflare Pages or Workers static assets: the file _headers in the build output\n\
# directory. (From Worker code, set the two headers on the Response instead.)\n\
# Cloudflare serves .wasm as application/wasm already.\n\
/*\n\
  Cross-Origin-Opener-Policy: same-origin\n\
  Cross-Origin-Embedder-Policy: {coep}\n",
                comment("#")
            ),
            None,
        ),
        Server::Vercel => (
            format!(
                "{{\n  \"headers\": [\n    {{\n      \"source\": \"/(.*)\",\n      \"headers\": [\n        {{ \"key\": \"Cross-Origin-Opener-Policy\", \"value\": \"same-origin\" }},\n        {{ \"key\": \"Cross-Origin-Embedder-Policy\", \"value\": \"{coep}\" }}\n      ]\n    }}\n  ]\n}}\n"
            ),
            Some(format!(
                "{}//\n// vercel.json (stdout; merge the \"headers\" entry into an existing file). Vercel serves\n// .wasm as application/wasm already.\n",
                comment("//")
            )),
        ),
        Server::Firebase => (
            format!(
                "{{\n  \"hosting\": {{\n    \"headers\": [\n      {{\n        \"source\": \"**\",\n        \"headers\": [\n          {{ \"key\": \"Cross-Origin-Opener-Policy\", \"value\": \"same-origin\" }},\n          {{ \"key\": \"Cross-Origin-Embedder-Policy\", \"value\": \"{coep}\" }}\n        ]\n      }}\n    ]\n  }}\n}}\n"
            ),
            Some(format!(
                "{}//\n// firebase.json (stdout; merge \"hosting\".\"headers\" into an existing file). Firebase\n// Hosting serves .wasm as application/wasm already.\n",
                comment("//")
            )),
        ),
    };
    Snippet { text, note }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snippet_sets_both_headers_and_explains() {
        for server in Server::ALL {
            for coep in [CoepValue::RequireCorp, CoepValue::Credentialless] {
                let s = snippet(server, coep);
                assert!(s.text.contains("Cross-Origin-Opener-Policy"), "{server:?}");
                assert!(s.text.contains("same-origin"), "{server:?}");
                assert!(
                    s.text.contains("Cross-Origin-Embedder-Policy"),
                    "{server:?}"
                );
                assert!(s.text.contains(coep.as_str()), "{server:?}");
                let explained = format!("{}{}", s.text, s.note.clone().unwrap_or_default());
                assert!(explained.contains("Trade-off"), "{server:?}");
                assert!(explained.contains("application/wasm"), "{server:?}");
                assert!(explained.contains("credentialless"), "{server:?}");
            }
        }
    }

    #[test]
    fn json_snippets_are_json() {
        for server in [Server::Vercel, Server::Firebase] {
            let s = snippet(server, CoepValue::RequireCorp);
            let v: serde_json::Value = serde_json::from_str(&s.text).unwrap();
            assert!(v.is_object());
            assert!(s.note.is_some());
        }
    }
}
