//! End-to-end checks of `guardmin headers` against real nginx on 127.0.0.1.
//!
//! Each test starts its own `/usr/sbin/nginx` (Debian's `nginx-light`; another binary via
//! `GUARDMIN_NGINX`) in the foreground with a configuration it writes into a temporary
//! directory (pid, logs and temp paths there too, free ports on 127.0.0.1), and kills it when
//! done. The failure tests use a `.invalid` host name, a closed port and a listener that never
//! answers. No traffic goes anywhere but 127.0.0.1 (and the resolver, for `.invalid`).
//!
//! Needs nginx installed before `cargo test`: `scripts/install-e2e.sh`.
//! `GUARDMIN_BLESS=1 cargo test --release --test headers` rewrites the golden files in
//! `fixtures/headers/`.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guardmin"));
    // Never let a proxy from the environment carry test traffic off this machine.
    for v in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        c.env_remove(v);
    }
    c
}

fn guardmin(args: &[&str]) -> Output {
    bin().args(args).output().expect("run guardmin")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    )
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(o)))
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn nginx_binary() -> PathBuf {
    let p = std::env::var_os("GUARDMIN_NGINX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"));
    assert!(
        p.exists(),
        "{} is missing: these tests need nginx; run scripts/install-e2e.sh (Debian nginx-light) first",
        p.display()
    );
    p
}

/// An nginx in the foreground, killed on drop.
struct Nginx {
    child: Child,
    ports: Vec<u16>,
    _site: tempfile::TempDir,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx with `nports` free ports; `servers(ports, site_root)` returns the
    /// `server { }` blocks for the `http { }` block. `files` are written under the site root
    /// first (`{PORTn}` in their text replaced with the ports).
    fn start(
        nports: usize,
        files: &[(&str, &[u8])],
        servers: impl Fn(&[u16], &Path) -> String,
    ) -> Nginx {
        let bin = nginx_binary();
        let mut last_err = String::new();
        for _attempt in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let site = tempfile::tempdir().unwrap();
            let ports: Vec<u16> = (0..nports).map(|_| free_port()).collect();
            if ports
                .iter()
                .enumerate()
                .any(|(i, p)| ports[..i].contains(p))
            {
                continue;
            }
            for (name, content) in files {
                let path = site.path().join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let mut content = content.to_vec();
                if let Ok(text) = std::str::from_utf8(&content) {
                    let mut text = text.to_string();
                    for (i, p) in ports.iter().enumerate() {
                        text = text.replace(&format!("{{PORT{i}}}"), &p.to_string());
                    }
                    content = text.into_bytes();
                }
                std::fs::write(path, content).unwrap();
            }
            let d = dir.path().display().to_string();
            for t in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
                std::fs::create_dir_all(dir.path().join("tmp").join(t)).unwrap();
            }
            let mime = if Path::new("/etc/nginx/mime.types").exists() {
                "include /etc/nginx/mime.types;".to_string()
            } else {
                "types { text/html html; application/javascript js mjs; application/wasm wasm; }"
                    .to_string()
            };
            let conf = format!(
                "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
error_log {d}/error.log warn;\nevents {{ worker_connections 64; }}\n\
http {{\n  {mime}\n  default_type application/octet-stream;\n  access_log {d}/access.log;\n\
  client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n\
  fastcgi_temp_path {d}/tmp/fastcgi;\n  uwsgi_temp_path {d}/tmp/uwsgi;\n  scgi_temp_path {d}/tmp/scgi;\n\
{}\n}}\n",
                servers(&ports, site.path())
            );
            let conf_path = dir.path().join("nginx.conf");
            std::fs::write(&conf_path, &conf).unwrap();
            let child = Command::new(&bin)
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&conf_path)
                .arg("-e")
                .arg(dir.path().join("error.log"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start nginx");
            let mut ng = Nginx {
                child,
                ports,
                _site: site,
                _dir: dir,
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if let Ok(Some(_)) = ng.child.try_wait() {
                    last_err = std::fs::read_to_string(ng._dir.path().join("error.log"))
                        .unwrap_or_default();
                    break;
                }
                let up = ng.ports.iter().all(|p| {
                    TcpStream::connect_timeout(
                        &SocketAddr::from(([127, 0, 0, 1], *p)),
                        Duration::from_millis(200),
                    )
                    .is_ok()
                });
                if up {
                    return ng;
                }
                if Instant::now() > deadline {
                    panic!("nginx did not start listening:\n{conf}");
                }
                thread::sleep(Duration::from_millis(50));
            }
            if !last_err.contains("Address already in use") {
                panic!("nginx failed to start: {last_err}\n{conf}");
            }
        }
        panic!("nginx failed to start: {last_err}");
    }

    fn url(&self, i: usize, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[i])
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ISOLATE: &str = "add_header Cross-Origin-Opener-Policy \"same-origin\" always;\n    add_header Cross-Origin-Embedder-Policy \"require-corp\" always;";

/// A `server { }` block on `port` serving `root`, with `extra` directives.
fn server(port: u16, root: &Path, extra: &str) -> String {
    format!(
        "  server {{\n    listen 127.0.0.1:{port};\n    root {};\n    {extra}\n  }}\n",
        root.display()
    )
}

/// A threaded app: a page loading a classic script that starts a module worker and names
/// its `.wasm`, as Emscripten glue does.
const APP: &[(&str, &[u8])] = &[
    (
        "index.html",
        b"<!doctype html><html><head><script type=\"module\" src=\"js/app.js\"></script></head><body></body></html>\n",
    ),
    (
        "js/app.js",
        b"var w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });\nvar wasmBinaryFile = 'engine.wasm';\n",
    ),
    ("js/worker.js", b"self.onmessage = function () {};\n"),
    ("js/engine.wasm", b"\0asm\x01\0\0\0"),
];

#[test]
fn isolated_page_exits_0() {
    let ng = Nginx::start(1, APP, |p, root| {
        server(
            p[0],
            root,
            &format!("{ISOLATE}\n    location = /start {{ return 302 /index.html; }}"),
        )
    });
    let o = guardmin(&["headers", "check", &ng.url(0, "/")]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = stdout(&o);
    assert!(out.contains("COOP     same-origin [ok]"), "{out}");
    assert!(out.contains("COEP     require-corp [ok]"), "{out}");
    assert!(out.contains("verdict: cross-origin isolated"), "{out}");

    // Redirects are followed; the verdict is the final page's.
    let o = guardmin(&["headers", "check", "--format", "json", &ng.url(0, "/start")]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let j = json(&o);
    assert_eq!(j["final_url"], ng.url(0, "/index.html"));
    assert_eq!(j["cross_origin_isolated"], true);
    assert_eq!(j["threaded"], true);
    assert_eq!(j["exit_code"], 0);

    // --deep finds the script, its module worker and its .wasm: all same-origin, all fine.
    let o = guardmin(&[
        "headers",
        "check",
        "--deep",
        "--format",
        "json",
        &ng.url(0, "/"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let j = json(&o);
    let res: Vec<(String, String, String)> = j["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["url"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        res,
        vec![
            ("cors-script".into(), ng.url(0, "/js/app.js"), "ok".into()),
            ("worker".into(), ng.url(0, "/js/worker.js"), "ok".into()),
            ("wasm".into(), ng.url(0, "/js/engine.wasm"), "ok".into()),
        ],
        "{}",
        show(&o)
    );
    assert_eq!(j["warnings"].as_array().unwrap().len(), 0, "{}", show(&o));
    assert_eq!(j["problems"].as_array().unwrap().len(), 0, "{}", show(&o));

    // An HTTP error for the page is a failed check, not a verdict.
    let o = guardmin(&["headers", "check", &ng.url(0, "/nope.html")]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(stderr(&o).contains("HTTP 404"), "{}", show(&o));
}

#[test]
fn missing_headers_exit_1_naming_them() {
    let ng = Nginx::start(2, APP, |p, root| {
        server(p[0], root, "")
            + &server(
                p[1],
                root,
                "add_header Cross-Origin-Opener-Policy \"same-origin\" always;",
            )
    });
    let o = guardmin(&["headers", "check", &ng.url(0, "/")]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let out = stdout(&o);
    assert!(
        out.contains("missing header Cross-Origin-Opener-Policy"),
        "{out}"
    );
    assert!(
        out.contains("missing header Cross-Origin-Embedder-Policy"),
        "{out}"
    );
    assert!(out.contains("verdict: NOT cross-origin isolated"), "{out}");

    let o = guardmin(&["headers", "check", "--format", "json", &ng.url(1, "/")]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let j = json(&o);
    assert_eq!(j["coop"]["value"], "same-origin");
    assert_eq!(j["coop"]["ok"], true);
    assert_eq!(j["coep"]["value"], serde_json::Value::Null);
    assert_eq!(j["cross_origin_isolated"], false);
    let problems = j["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{}", show(&o));
    assert!(problems[0]
        .as_str()
        .unwrap()
        .contains("missing header Cross-Origin-Embedder-Policy"));
}

#[test]
fn cross_origin_wasm_without_corp_or_cors_is_blocked_with_deep() {
    // Port 0: the isolated page. Port 1: a second server with no CORP/CORS. Port 2: the
    // same file with Access-Control-Allow-Origin.
    let files: &[(&str, &[u8])] = &[
        (
            "blocked.html",
            b"<!doctype html><script>fetch('http://127.0.0.1:{PORT1}/lib/engine.wasm').then(r => WebAssembly.instantiateStreaming(r));</script>\n",
        ),
        (
            "cors.html",
            b"<!doctype html><script>fetch('http://127.0.0.1:{PORT2}/lib/engine.wasm');</script>\n",
        ),
        ("lib/engine.wasm", b"\0asm\x01\0\0\0"),
    ];
    let ng = Nginx::start(3, files, |p, root| {
        server(p[0], root, ISOLATE)
            + &server(p[1], root, "")
            + &server(
                p[2],
                root,
                "add_header Access-Control-Allow-Origin \"*\" always;",
            )
    });
    let wasm = ng.url(1, "/lib/engine.wasm");

    // Headers only: isolated.
    let o = guardmin(&["headers", "check", &ng.url(0, "/blocked.html")]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    // --deep: the cross-origin .wasm is blocked, and named.
    let o = guardmin(&["headers", "check", "--deep", &ng.url(0, "/blocked.html")]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("blocked: wasm {wasm}")), "{out}");
    assert!(out.contains("no Access-Control-Allow-Origin"), "{out}");
    assert!(
        out.contains("1 resource(s) it loads would be blocked"),
        "{out}"
    );

    let o = guardmin(&[
        "headers",
        "check",
        "--deep",
        "--format",
        "json",
        &ng.url(0, "/blocked.html"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let j = json(&o);
    assert_eq!(j["cross_origin_isolated"], true);
    assert_eq!(j["threaded"], false);
    let r = &j["resources"][0];
    assert_eq!(r["url"], wasm.as_str());
    assert_eq!(r["cross_origin"], true);
    assert_eq!(r["outcome"], "blocked");
    assert_eq!(r["found_in"], "inline script");

    // With CORS on the other server it loads.
    let o = guardmin(&["headers", "check", "--deep", &ng.url(0, "/cors.html")]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(
        stdout(&o).contains("CORS allows the page origin"),
        "{}",
        show(&o)
    );
}

#[test]
fn wasm_served_as_octet_stream_warns_naming_the_file() {
    let ng = Nginx::start(1, APP, |p, root| {
        server(
            p[0],
            root,
            &format!(
                "{ISOLATE}\n    types {{ text/html html; application/javascript js; application/octet-stream wasm; }}"
            ),
        )
    });
    let o = guardmin(&["headers", "check", "--deep", &ng.url(0, "/")]);
    // Only slower, not broken: still exit 0.
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = stdout(&o);
    let wasm = ng.url(0, "/js/engine.wasm");
    assert!(
        out.contains(&format!(
            "{wasm} is served as application/octet-stream, not application/wasm"
        )),
        "{out}"
    );
    assert!(out.contains("streaming compilation fails"), "{out}");
    let o = guardmin(&[
        "headers",
        "check",
        "--deep",
        "--format",
        "json",
        &ng.url(0, "/"),
    ]);
    let j = json(&o);
    let w = j["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{}", show(&o));
    assert!(w[0].as_str().unwrap().contains(&wasm));
}

#[test]
fn printed_nginx_snippet_makes_the_check_pass() {
    for coep in ["require-corp", "credentialless"] {
        let o = guardmin(&["headers", "print", "--for", "nginx", "--coep", coep]);
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
        let snippet = stdout(&o);
        let ng = Nginx::start(1, APP, |p, root| {
            server(p[0], root, &snippet.replace('\n', "\n    "))
        });
        let o = guardmin(&[
            "headers",
            "check",
            "--deep",
            "--format",
            "json",
            &ng.url(0, "/"),
        ]);
        assert_eq!(o.status.code(), Some(0), "{coep}: {}", show(&o));
        let j = json(&o);
        assert_eq!(j["coep"]["value"], coep);
        assert_eq!(j["resources"].as_array().unwrap().len(), 3, "{}", show(&o));
        assert_eq!(j["warnings"].as_array().unwrap().len(), 0, "{}", show(&o));
    }
}

#[test]
fn print_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/headers");
    let bless = std::env::var_os("GUARDMIN_BLESS").is_some();
    for server in [
        "nginx",
        "apache",
        "caddy",
        "express",
        "netlify",
        "vercel",
        "firebase",
        "cloudflare",
    ] {
        let o = guardmin(&["headers", "print", "--for", server]);
        assert_eq!(o.status.code(), Some(0), "{server}: {}", show(&o));
        let mut want = vec![(format!("{server}.txt"), stdout(&o))];
        if !o.stderr.is_empty() {
            want.push((format!("{server}.note.txt"), stderr(&o)));
            // The JSON ones print plain JSON on stdout.
            serde_json::from_slice::<serde_json::Value>(&o.stdout)
                .unwrap_or_else(|e| panic!("{server}: stdout is not JSON: {e}"));
        }
        for (file, got) in want {
            let path = dir.join(&file);
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (GUARDMIN_BLESS=1 writes it)", path.display()));
            assert_eq!(
                got,
                expected,
                "{} differs (GUARDMIN_BLESS=1 rewrites it)",
                path.display()
            );
        }
    }
}

mod failures;
