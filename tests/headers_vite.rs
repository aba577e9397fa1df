//! `guardmin headers print --for vite` (issue 17, must-show 3): the printed config, written
//! as the vite.config.mjs of a real Vite 8 app, makes `vite preview` serve the page cross-origin
//! isolated, as `guardmin headers check --deep` sees it (and without it the check fails);
//! `--preview` does the same through preview.headers.
//!
//! Needs Vite 8 in target/plugin-deps (`scripts/install-plugin-deps.sh`) and node. Traffic
//! stays on 127.0.0.1.

mod common;
use common::{guardmin, root, run, show};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn headers(args: &[&str]) -> Output {
    let mut c = guardmin();
    c.arg("headers").args(args);
    for v in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        c.env_remove(v);
    }
    run(c, "guardmin")
}

fn vite8() -> PathBuf {
    let p = root().join("target/plugin-deps/node_modules/vite8");
    assert!(
        p.join("bin/vite.js").is_file(),
        "{} is missing: run scripts/install-plugin-deps.sh first",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `vite preview` in `dir`, killed on drop.
struct Preview {
    child: Child,
    port: u16,
}

impl Preview {
    fn start(dir: &Path) -> Preview {
        let port = free_port();
        let child = Command::new("node")
            .arg(vite8().join("bin/vite.js"))
            .args(["preview", "--host", "127.0.0.1", "--strictPort", "--port"])
            .arg(port.to_string())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vite preview");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "vite preview did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Preview { child, port }
    }

    fn check(&self) -> Output {
        headers(&[
            "check",
            "--deep",
            "--format",
            "json",
            &format!("http://127.0.0.1:{}/", self.port),
        ])
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A built app: a page, its module script, a worker and a `.wasm` the script fetches.
fn app(config: Option<&str>) -> tempfile::TempDir {
    let d = common::tmp("gm-vite-preview");
    let dist = d.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><html><head><script type=\"module\" src=\"/app.js\"></script></head><body></body></html>\n",
    )
    .unwrap();
    std::fs::write(
        dist.join("app.js"),
        "const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });\nfetch('./model.wasm');\n",
    )
    .unwrap();
    std::fs::write(dist.join("worker.js"), "self.onmessage = () => {};\n").unwrap();
    std::fs::write(dist.join("model.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(d.path().join("package.json"), "{\"type\": \"module\"}\n").unwrap();
    // The config imports 'vite': the app's node_modules has it, as an installed app would.
    let nm = d.path().join("node_modules");
    std::fs::create_dir_all(&nm).unwrap();
    std::os::unix::fs::symlink(vite8(), nm.join("vite")).unwrap();
    if let Some(c) = config {
        std::fs::write(d.path().join("vite.config.mjs"), c).unwrap();
    }
    d
}

fn printed(args: &[&str]) -> String {
    let mut all = vec!["print", "--for", "vite"];
    all.extend_from_slice(args);
    let o = headers(&all);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn printed_vite_config_makes_vite_preview_isolated() {
    // Without the headers: not isolated, and the check says which are missing.
    let bare = app(None);
    let p = Preview::start(bare.path());
    let o = p.check();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("missing header Cross-Origin-Opener-Policy")
    );
    drop(p);

    for (args, key) in [(&[][..], "server:"), (&["--preview"][..], "preview:")] {
        let config = printed(args);
        assert!(config.contains(key), "{config}");
        let dir = app(Some(&config));
        let p = Preview::start(dir.path());
        let o = p.check();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", show(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["cross_origin_isolated"], true);
        // The page's script, its worker and its .wasm, each found where the page has it,
        // the .wasm served as application/wasm: nothing to warn about.
        let res = j["resources"].as_array().unwrap();
        let urls: Vec<&str> = res.iter().map(|r| r["url"].as_str().unwrap()).collect();
        assert_eq!(res.len(), 3, "{urls:?}");
        assert!(urls.iter().any(|u| u.ends_with("/model.wasm")), "{urls:?}");
        assert_eq!(j["warnings"].as_array().unwrap().len(), 0, "{}", show(&o));
    }
}

#[test]
fn vite_snippet_says_what_it_sets_and_preview_is_vite_only() {
    for coep in ["require-corp", "credentialless"] {
        let s = printed(&["--coep", coep]);
        assert!(
            s.contains("'Cross-Origin-Opener-Policy': 'same-origin'"),
            "{s}"
        );
        assert!(
            s.contains(&format!("'Cross-Origin-Embedder-Policy': '{coep}'")),
            "{s}"
        );
        assert!(s.contains("import { defineConfig } from 'vite'"), "{s}");
        assert!(s.contains("server: {") && !s.contains("preview: {"), "{s}");
        assert!(s.contains("Trade-off"), "{s}");
    }
    let s = printed(&["--preview"]);
    assert!(s.contains("preview: {") && !s.contains("server: {"), "{s}");
    let o = headers(&["print", "--for", "nginx", "--preview"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--preview is for --for vite"));
}

/// The printed configs, as `fixtures/headers/vite.txt` and `vite-preview.txt` hold them
/// (`GUARDMIN_BLESS=1` rewrites them).
#[test]
fn vite_golden_files() {
    let dir = root().join("fixtures/headers");
    for (args, file) in [
        (&[][..], "vite.txt"),
        (&["--preview"][..], "vite-preview.txt"),
    ] {
        let got = printed(args);
        let path = dir.join(file);
        if std::env::var_os("GUARDMIN_BLESS").is_some() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (GUARDMIN_BLESS=1 writes it)", path.display()));
        assert_eq!(got, want, "{file} changed (GUARDMIN_BLESS=1 rewrites it)");
    }
}
