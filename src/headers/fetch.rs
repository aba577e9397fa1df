//! HTTP for `headers check`: one [`ureq`] agent that follows redirects, bounds every
//! request (DNS, connect, send, headers and body together) by the `--timeout`, and turns
//! failures into one-line reasons.
//!
//! Proxies come from the usual environment variables (`HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`), as ureq reads them.

use std::io::ErrorKind;
use std::time::Duration;
use ureq::{Agent, ResponseExt};
use url::Url;

/// Redirects followed per request before giving up.
pub const MAX_REDIRECTS: u32 = 10;

/// Bodies (pages and scripts) are read up to this size; larger ones fail the request.
const MAX_BODY_BYTES: u64 = 64 << 20;

/// A blocking HTTP client with one timeout for each whole request.
pub struct Client {
    agent: Agent,
    timeout: Duration,
}

/// A response after redirects.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL the response came from (after redirects).
    pub url: Url,
    pub status: u16,
    /// Header names lowercased, in arrival order.
    headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), when it was asked for.
    pub body: Option<String>,
}

impl Response {
    /// A header's value; several lines of the same header are joined with `", "`, as HTTP
    /// allows (which makes a single-valued header like COOP invalid, as in browsers).
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

impl Client {
    /// A client whose every request must finish within `timeout`.
    pub fn new(timeout: Duration) -> Client {
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(MAX_REDIRECTS)
            .http_status_as_error(false)
            .user_agent(concat!("guardmin/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, timeout }
    }

    /// GETs `url`, following redirects. `origin` is sent as the `Origin` header (as a browser
    /// does for a cross-origin CORS request, so servers that echo it answer as they would to
    /// the page). With `want_body` the body is read as text; otherwise it is not downloaded.
    pub fn get(
        &self,
        url: &Url,
        origin: Option<&str>,
        want_body: bool,
    ) -> Result<Response, String> {
        let mut req = self.agent.get(url.as_str());
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let mut resp = req.call().map_err(|e| self.reason(&e, url))?;
        let final_url = Url::parse(&resp.get_uri().to_string()).unwrap_or_else(|_| url.clone());
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).trim().to_string(),
                )
            })
            .collect();
        let status = resp.status().as_u16();
        let body = if want_body {
            let bytes = resp
                .body_mut()
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_vec()
                .map_err(|e| self.reason(&e, &final_url))?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        } else {
            None
        };
        Ok(Response {
            url: final_url,
            status,
            headers,
            body,
        })
    }

    /// One line on why a request failed.
    fn reason(&self, e: &ureq::Error, url: &Url) -> String {
        let host = url.host_str().unwrap_or("?");
        let port = url.port_or_known_default().unwrap_or(0);
        let secs = format_secs(self.timeout);
        let text = match e {
            ureq::Error::HostNotFound => format!("cannot resolve host {host}"),
            ureq::Error::Timeout(which) => {
                format!("timed out after {secs} ({which} timeout) talking to {host}:{port}")
            }
            ureq::Error::ConnectionFailed => format!("cannot connect to {host}:{port}"),
            ureq::Error::TooManyRedirects => {
                format!("more than {MAX_REDIRECTS} redirects from {url}")
            }
            ureq::Error::BodyExceedsLimit(n) => {
                format!("response from {url} is larger than {n} bytes")
            }
            ureq::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused => format!("connection refused by {host}:{port}"),
                ErrorKind::TimedOut | ErrorKind::WouldBlock => {
                    format!("timed out after {secs} talking to {host}:{port}")
                }
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                    format!("connection to {host}:{port} was reset")
                }
                ErrorKind::UnexpectedEof => {
                    format!("{host}:{port} closed the connection without an answer")
                }
                _ if io.to_string().contains("lookup") => {
                    let why = io.to_string();
                    let why = why.rsplit(": ").next().unwrap_or(&why).to_string();
                    format!("cannot resolve host {host} ({why})")
                }
                ErrorKind::InvalidData if url.scheme() == "https" => {
                    format!("TLS with {host}:{port} failed: {io}")
                }
                _ => format!("{host}:{port}: {io}"),
            },
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
                format!("TLS with {host}:{port} failed: {e}")
            }
            other => format!("{url}: {other}"),
        };
        one_line(&text)
    }
}

/// `2 s`, `0.5 s`.
pub fn format_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// Collapses whitespace runs (newlines included) into single spaces.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_repeated_headers() {
        let r = Response {
            url: Url::parse("http://127.0.0.1/").unwrap(),
            status: 200,
            headers: vec![
                ("cross-origin-opener-policy".into(), "same-origin".into()),
                ("x".into(), "1".into()),
                ("cross-origin-opener-policy".into(), "unsafe-none".into()),
            ],
            body: None,
        };
        assert_eq!(
            r.header("Cross-Origin-Opener-Policy").as_deref(),
            Some("same-origin, unsafe-none")
        );
        assert_eq!(r.header("missing"), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_secs(Duration::from_secs(2)), "2 s");
        assert_eq!(format_secs(Duration::from_millis(500)), "0.5 s");
        assert_eq!(one_line("a\n  b\tc"), "a b c");
    }
}
