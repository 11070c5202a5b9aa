//! The WorkOS API over `fetch`: performs the core's request descriptions with a deadline.

use std::time::Duration;

use futures_util::future::{select, Either};
use web_sys::AbortController;
use workos_edge_core::api::{ApiReply, ApiRequest};
use workos_edge_core::jwt::Jwks;

use crate::runtime::fetch::{outgoing_request, response_bytes, send as fetch};
use crate::runtime::{js_error_text, sleep};

/// Sends an API request and returns whatever came back, timeouts and network errors included.
/// Past `timeout_ms` the call is aborted and answered [`ApiReply::Timeout`].
pub async fn send(request: &ApiRequest, timeout_ms: u64) -> ApiReply {
    let Ok(headers) = web_sys::Headers::new() else {
        return ApiReply::NetworkError("the runtime refused to make headers".into());
    };
    for (name, value) in &request.headers {
        if headers.set(name, value).is_err() {
            return ApiReply::NetworkError(format!("invalid header {name}"));
        }
    }
    let _ = headers.set(
        "User-Agent",
        concat!("workos-edge/", env!("CARGO_PKG_VERSION")),
    );
    let Ok(controller) = AbortController::new() else {
        return ApiReply::NetworkError("the runtime refused to make an AbortController".into());
    };
    let body = request.body.as_ref().map(ToString::to_string);
    let outgoing = match outgoing_request(
        request.method,
        &request.url,
        Some(&headers),
        body.as_deref(),
        true,
        Some(&controller.signal()),
    ) {
        Ok(outgoing) => outgoing,
        Err(e) => return ApiReply::NetworkError(js_error_text(&e)),
    };
    let call = Box::pin(fetch(&outgoing));
    // One deadline for the headers and the body together, so a call never takes longer than
    // `timeout_ms` (the refresh coalescer's waiters count on that).
    let mut deadline = Box::pin(sleep(Duration::from_millis(timeout_ms)));
    let answered = match select(call, deadline.as_mut()).await {
        Either::Left((result, _)) => Some(result),
        Either::Right(_) => None,
    };
    match answered {
        Some(Ok(response)) => {
            let status = response.status();
            let header = |name: &str| response.headers().get(name).ok().flatten();
            let retry_after = header("retry-after");
            let request_id = header("x-request-id");
            // The body may hang or be cut short too: it shares the deadline.
            let body = Box::pin(response_bytes(&response));
            let body = match select(body, deadline.as_mut()).await {
                Either::Left((body, _)) => body,
                Either::Right(_) => {
                    controller.abort();
                    return ApiReply::Timeout;
                }
            };
            match body {
                Ok(body) => ApiReply::Response {
                    status,
                    retry_after,
                    request_id,
                    body,
                },
                Err(e) => ApiReply::NetworkError(js_error_text(&e)),
            }
        }
        Some(Err(e)) => ApiReply::NetworkError(js_error_text(&e)),
        None => {
            controller.abort();
            ApiReply::Timeout
        }
    }
}

/// Why the JWKS could not be had.
#[derive(Debug, Clone)]
pub struct JwksFailure {
    /// For the log line.
    pub reason: String,
    /// WorkOS's `Retry-After` (seconds), when it sent one.
    pub retry_after: Option<u64>,
}

/// `GET /sso/jwks/{clientId}`. A key set without a usable RSA key counts as a failure: cached,
/// it would make every token look signed by an unknown key (and every request refresh).
pub async fn fetch_jwks(
    base_url: &str,
    client_id: &str,
    timeout_ms: u64,
) -> Result<Jwks, JwksFailure> {
    let request = ApiRequest {
        method: "GET",
        url: format!("{base_url}/sso/jwks/{client_id}"),
        headers: vec![("Accept".into(), "application/json".into())],
        body: None,
    };
    let failure = |reason: String, retry_after: Option<u64>| JwksFailure {
        reason,
        retry_after,
    };
    match send(&request, timeout_ms).await {
        ApiReply::Response {
            status: 200, body, ..
        } => match Jwks::from_json(&body) {
            Ok(jwks) if jwks.keys.iter().any(|k| k.n.is_some() && k.e.is_some()) => Ok(jwks),
            Ok(_) => Err(failure("the JWKS has no RSA key".into(), None)),
            Err(_) => Err(failure("the JWKS is not a key set".into(), None)),
        },
        ApiReply::Response {
            status,
            retry_after,
            ..
        } => Err(failure(
            format!("JWKS fetch answered HTTP {status}"),
            retry_after.as_deref().and_then(|s| s.trim().parse().ok()),
        )),
        ApiReply::Timeout => Err(failure("JWKS fetch timed out".into(), None)),
        ApiReply::NetworkError(_) => Err(failure("JWKS fetch failed".into(), None)),
    }
}
