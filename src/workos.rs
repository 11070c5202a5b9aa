//! The WorkOS API over `fetch`: performs the core's request descriptions with a deadline.

use std::time::Duration;

use futures_util::future::{select, Either};
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect,
};
use workos_edge_core::api::{ApiReply, ApiRequest};
use workos_edge_core::jwt::Jwks;

/// Sends an API request and returns whatever came back, timeouts and network errors included.
/// Past `timeout_ms` the call is aborted and answered [`ApiReply::Timeout`].
pub async fn send(request: &ApiRequest, timeout_ms: u64) -> ApiReply {
    let headers = Headers::new();
    for (name, value) in &request.headers {
        if headers.set(name, value).is_err() {
            return ApiReply::NetworkError(format!("invalid header {name}"));
        }
    }
    let _ = headers.set(
        "User-Agent",
        concat!("workos-edge/", env!("CARGO_PKG_VERSION")),
    );
    let mut init = RequestInit::new();
    init.with_method(Method::from(request.method.to_owned()))
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = &request.body {
        init.with_body(Some(body.to_string().into()));
    }
    let outgoing = match Request::new_with_init(&request.url, &init) {
        Ok(outgoing) => outgoing,
        Err(e) => return ApiReply::NetworkError(e.to_string()),
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(outgoing);
    let call = Box::pin(fetch.send_with_signal(&signal));
    let deadline = Box::pin(Delay::from(Duration::from_millis(timeout_ms)));
    let answered = match select(call, deadline).await {
        Either::Left((result, _)) => Some(result),
        Either::Right(_) => None,
    };
    match answered {
        Some(Ok(mut response)) => {
            let status = response.status_code();
            let header = |name: &str| response.headers().get(name).ok().flatten();
            let retry_after = header("retry-after");
            let request_id = header("x-request-id");
            // The body may hang or be cut short too: it shares the deadline.
            let body = Box::pin(response.bytes());
            let remaining = Box::pin(Delay::from(Duration::from_millis(timeout_ms)));
            let body = match select(body, remaining).await {
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
                Err(e) => ApiReply::NetworkError(e.to_string()),
            }
        }
        Some(Err(e)) => ApiReply::NetworkError(e.to_string()),
        None => {
            controller.abort();
            ApiReply::Timeout
        }
    }
}

/// `GET /sso/jwks/{clientId}`.
pub async fn fetch_jwks(base_url: &str, client_id: &str, timeout_ms: u64) -> Result<Jwks, String> {
    let request = ApiRequest {
        method: "GET",
        url: format!("{base_url}/sso/jwks/{client_id}"),
        headers: vec![("Accept".into(), "application/json".into())],
        body: None,
    };
    match send(&request, timeout_ms).await {
        ApiReply::Response {
            status: 200, body, ..
        } => Jwks::from_json(&body).map_err(|e| format!("JWKS is not a key set: {e}")),
        ApiReply::Response { status, .. } => Err(format!("JWKS fetch answered HTTP {status}")),
        ApiReply::Timeout => Err("JWKS fetch timed out".into()),
        ApiReply::NetworkError(e) => Err(format!("JWKS fetch failed: {e}")),
    }
}
