//! Performs the core's [`ApiRequest`]s with ureq and hands back [`ApiReply`]s. Nothing here logs
//! a header or a body.

use std::io::Read;
use std::time::Duration;

use workos_edge_core::api::{ApiReply, ApiRequest};

use crate::Failure;

/// Whole-request deadline (connect, send, read).
const TIMEOUT: Duration = Duration::from_secs(15);
/// Replies are small JSON objects; anything bigger is not WorkOS.
const MAX_BODY_BYTES: u64 = 1 << 20;

/// A blocking HTTP client for the WorkOS API.
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// A client with a 15 s timeout, the CLI's User-Agent and no redirects (a redirected POST
    /// would carry a code or token somewhere else).
    pub fn new() -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(TIMEOUT)
            .redirects(0)
            .user_agent(&format!("workos-edge-cli/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Self { agent }
    }

    /// Sends the request. HTTP error statuses are replies like any other (ureq reports them as
    /// `Error::Status`, with the response still readable).
    pub fn send(&self, request: &ApiRequest) -> ApiReply {
        let mut call = self.agent.request(request.method, &request.url);
        for (name, value) in &request.headers {
            call = call.set(name, value);
        }
        let result = match &request.body {
            Some(body) => call.send_string(&body.to_string()),
            None => call.call(),
        };
        match result {
            Ok(response) | Err(ureq::Error::Status(_, response)) => into_reply(response),
            Err(ureq::Error::Transport(transport)) => {
                if is_timeout(&transport) {
                    ApiReply::Timeout
                } else {
                    ApiReply::NetworkError(transport.to_string())
                }
            }
        }
    }
}

fn into_reply(response: ureq::Response) -> ApiReply {
    let status = response.status();
    let retry_after = response.header("retry-after").map(str::to_owned);
    let request_id = response.header("x-request-id").map(str::to_owned);
    let mut body = Vec::new();
    if let Err(e) = response
        .into_reader()
        .take(MAX_BODY_BYTES)
        .read_to_end(&mut body)
    {
        return ApiReply::NetworkError(format!("reading the reply (HTTP {status}): {e}"));
    }
    ApiReply::Response {
        status,
        retry_after,
        request_id,
        body,
    }
}

fn is_timeout(transport: &ureq::Transport) -> bool {
    let mut source = std::error::Error::source(transport);
    while let Some(error) = source {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            );
        }
        source = error.source();
    }
    false
}

/// Checks an API base URL: absolute http(s), and plain http only to this machine (tokens and
/// refresh tokens travel in these requests).
pub fn check_base_url(url: &str) -> Result<String, Failure> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| Failure::usage(format!("API base URL {url:?} is not an absolute URL")))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => host,
        None => authority,
    };
    let host = if let Some(bracketed) = host.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(Failure::usage(format!("API base URL {url:?} has no host")));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if is_loopback(host) => Ok(url.to_owned()),
        "http" => Err(Failure::usage(format!(
            "API base URL {url:?} is plain http: use https (http is accepted for localhost only)"
        ))),
        _ => Err(Failure::usage(format!(
            "API base URL {url:?} must start with https://"
        ))),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::check_base_url;

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://api.workos.com/").unwrap(),
            "https://api.workos.com"
        );
        assert!(check_base_url("http://localhost:4999").is_ok());
        assert!(check_base_url("http://127.0.0.1:4999/x").is_ok());
        assert!(check_base_url("http://[::1]:4999").is_ok());
        assert!(check_base_url("http://api.workos.com").is_err());
        assert!(check_base_url("http://localhost.evil.example").is_err());
        assert!(check_base_url("ftp://localhost").is_err());
        assert!(check_base_url("api.workos.com").is_err());
        assert!(check_base_url("https://").is_err());
    }
}
