//! `headers check` against hosts and servers that fail: it exits 2, fast, saying why.

use super::*;

/// Asserts a failed check: exit 2, quickly, with one line on stderr containing `want`.
fn assert_fails_fast(url: &str, want: &str) {
    let t = Instant::now();
    let o = guardmin(&["headers", "check", "--timeout", "2", url]);
    let elapsed = t.elapsed();
    assert_eq!(o.status.code(), Some(2), "{url}: {}", show(&o));
    assert!(elapsed < Duration::from_secs(6), "{url}: took {elapsed:?}");
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{url}: {err}");
    assert!(err.contains(want), "{url}: wanted {want:?} in {err}");
    assert!(o.stdout.is_empty(), "{url}: {}", show(&o));
}

#[test]
fn unresolvable_host_exits_2() {
    assert_fails_fast(
        "http://nonexistent.invalid/",
        "cannot resolve host nonexistent.invalid",
    );
}

#[test]
fn refused_port_exits_2() {
    let port = free_port();
    assert_fails_fast(
        &format!("http://127.0.0.1:{port}/"),
        &format!("connection refused by 127.0.0.1:{port}"),
    );
}

/// Accepts connections and never answers, until dropped.
struct Silent {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Silent {
    fn start() -> Silent {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = thread::spawn(move || {
            let mut held = Vec::new();
            while !s.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((mut c, _)) => {
                        // Read the request so the client is left waiting for an answer.
                        c.set_read_timeout(Some(Duration::from_millis(100))).ok();
                        let mut buf = [0u8; 1024];
                        let _ = c.read(&mut buf);
                        held.push(c);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Silent {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn silent_server_times_out_with_exit_2() {
    let s = Silent::start();
    let url = format!("http://127.0.0.1:{}/", s.port);
    assert_fails_fast(&url, "timed out after 2 s");

    // The JSON form says the same on stdout.
    let o = guardmin(&[
        "headers",
        "check",
        "--timeout",
        "1",
        "--format",
        "json",
        &url,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let j = json(&o);
    assert_eq!(j["exit_code"], 2);
    assert!(
        j["error"].as_str().unwrap().contains("timed out"),
        "{}",
        show(&o)
    );
}
