//! Small HTTP helpers every handler uses: reading headers, redirects, what kind of request
//! this is, and whether a state-changing request comes from our own pages.

use web_sys::{Request, Response, ResponseInit};
use workos_edge_core::json::{Members, ShapeError};

use workos_edge_core::web::{url_parts, UrlParts};

use crate::error::GatewayError;
use crate::runtime::fetch::BodyReader;

/// The methods the gateway handles and forwards; any other is refused with 405 (a method the
/// routes and rules were not written for, say WebDAV's `PROPFIND`, is not let through on a
/// guess). Methods are case-sensitive.
pub const SUPPORTED_METHODS: [&str; 7] =
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Whether the request's method, as sent, is one of [`SUPPORTED_METHODS`].
pub fn is_supported_method(method: &str) -> bool {
    SUPPORTED_METHODS.contains(&method)
}

/// A request header's value, if present and readable.
pub fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().get(name).ok().flatten()
}

/// Whether the client is navigating to a page (so a sign-in redirect makes sense) rather than
/// fetching data or an asset (which gets a 401 instead: never redirect an XHR).
pub fn is_document_request(request: &Request) -> bool {
    is_document(&request.method(), &request.headers())
}

/// [`is_document_request`] on the method (as sent) and headers.
pub fn is_document(method: &str, headers: &web_sys::Headers) -> bool {
    if method != "GET" && method != "HEAD" {
        return false;
    }
    let header = |name: &str| headers.get(name).ok().flatten();
    match header("sec-fetch-dest").as_deref() {
        None | Some("") => header("accept").is_some_and(|a| a.contains("text/html")),
        Some(dest) => dest == "document",
    }
}

/// The request URL as the runtime serialised it (read once per use; never reparsed: see
/// [`url_parts`]).
pub fn request_url(request: &Request) -> String {
    request.url()
}

/// The parts of a serialised request URL, or 400.
pub fn parts(url: &str) -> Result<UrlParts<'_>, GatewayError> {
    url_parts(url).ok_or(GatewayError::BadRequest("The request URL is malformed."))
}

/// This site's origin (`https://host`), from the request URL.
pub fn site_origin(request: &Request) -> Result<String, GatewayError> {
    Ok(parts(&request_url(request))?.origin.to_owned())
}

/// `response` with `headers` instead of its own: same status, status text, body stream and
/// WebSocket (an upgraded connection must survive a cookie being added).
pub fn with_headers(
    response: &web_sys::Response,
    headers: &web_sys::Headers,
) -> Result<web_sys::Response, GatewayError> {
    let init = web_sys::ResponseInit::new();
    init.set_status(response.status());
    init.set_status_text(&response.status_text());
    init.set_headers(headers);
    let websocket = js_sys::Reflect::get(response, &"webSocket".into())?;
    if !websocket.is_undefined() && !websocket.is_null() {
        js_sys::Reflect::set(&init, &"webSocket".into(), &websocket)?;
    }
    Ok(web_sys::Response::new_with_opt_readable_stream_and_init(
        response.body().as_ref(),
        &init,
    )?)
}

/// A 302 to a path on this site (or an absolute URL we built).
pub fn redirect(location: &str) -> Result<Response, GatewayError> {
    let response = empty(302)?;
    response.headers().set("Location", location)?;
    response
        .headers()
        .set("Cache-Control", "private, no-store")?;
    Ok(response)
}

/// A response without a body.
pub fn empty(status: u16) -> Result<Response, GatewayError> {
    let init = ResponseInit::new();
    init.set_status(status);
    Ok(Response::new_with_opt_str_and_init(None, &init)?)
}

/// A response with a text body of `content_type`.
pub fn text(status: u16, content_type: &str, body: &str) -> Result<Response, GatewayError> {
    let init = ResponseInit::new();
    init.set_status(status);
    let response = Response::new_with_opt_str_and_init(Some(body), &init)?;
    response.headers().set("Content-Type", content_type)?;
    Ok(response)
}

/// An HTML page.
pub fn html(status: u16, page: &str) -> Result<Response, GatewayError> {
    text(status, "text/html; charset=utf-8", page)
}

/// A JSON body.
pub fn json(status: u16, body: &serde_json::Value) -> Result<Response, GatewayError> {
    text(
        status,
        "application/json",
        &workos_edge_core::json::to_text(body),
    )
}

/// What the browser says about where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    /// `Sec-Fetch-Site: same-origin`, or an `Origin` equal to ours.
    SameOrigin,
    /// A foreign `Origin`, or `Sec-Fetch-Site` `cross-site` / `same-site`.
    Foreign,
    /// Neither header (not a browser, or a typed URL / bookmark: `Sec-Fetch-Site: none`).
    Unknown,
}

/// Classifies the request's initiator from `Sec-Fetch-Site` and `Origin` (a foreign answer
/// from either wins).
pub fn initiator(request: &Request) -> Result<Initiator, GatewayError> {
    let ours = site_origin(request)?;
    Ok(classify_initiator(
        header(request, "sec-fetch-site").as_deref(),
        header(request, "origin").as_deref(),
        &ours,
    ))
}

/// [`initiator`] on plain values.
pub fn classify_initiator(fetch_site: Option<&str>, origin: Option<&str>, ours: &str) -> Initiator {
    let foreign_site = matches!(fetch_site, Some("cross-site" | "same-site"));
    let foreign_origin = origin.is_some_and(|o| o != ours);
    if foreign_site || foreign_origin {
        return Initiator::Foreign;
    }
    if fetch_site == Some("same-origin") || origin == Some(ours) {
        return Initiator::SameOrigin;
    }
    Initiator::Unknown
}

/// Checks a state-changing JSON request before anything else happens (in particular before
/// the session is resolved, which may spend the refresh token): JSON only (cross-site pages
/// cannot send it without a CORS preflight we never answer), from our own pages, and small.
pub fn check_json_request(request: &Request, max_body_bytes: u64) -> Result<(), GatewayError> {
    if initiator(request)? == Initiator::Foreign {
        return Err(GatewayError::CrossSite);
    }
    let content_type = header(request, "content-type").unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return Err(GatewayError::UnsupportedMediaType);
    }
    let declared = header(request, "content-length").and_then(|l| l.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_body_bytes) {
        return Err(GatewayError::PayloadTooLarge);
    }
    Ok(())
}

/// Reads a JSON object body checked by [`check_json_request`] (see [`read_body`]) with
/// `read`, which takes the members it expects.
pub async fn read_json<T>(
    request: &Request,
    max_body_bytes: u64,
    read: impl FnOnce(Members) -> Result<T, ShapeError>,
) -> Result<T, GatewayError> {
    let body = read_body(request, max_body_bytes).await?;
    serde_json::from_slice(&body)
        .ok()
        .and_then(|value| read(Members::of(value, "body").ok()?).ok())
        .ok_or(GatewayError::BadRequest(
            "The request body is not the expected JSON.",
        ))
}

/// Reads a body chunk by chunk, stopping as soon as it passes `max_body_bytes`: a chunked body
/// of any size without `Content-Length` must not be copied into the isolate's memory first
/// (128 MB kills the isolate and every cache in it).
pub async fn read_body(request: &Request, max_body_bytes: u64) -> Result<Vec<u8>, GatewayError> {
    let unreadable = |_| GatewayError::BadRequest("The request body could not be read.");
    let limit = usize::try_from(max_body_bytes).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    if let Some(reader) = BodyReader::of(request) {
        while let Some(chunk) = reader.next_chunk().await.map_err(unreadable)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(GatewayError::PayloadTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        for ok in SUPPORTED_METHODS {
            assert!(is_supported_method(ok));
        }
        for refused in [
            "PROPFIND", "MKCOL", "TRACE", "CONNECT", "REPORT", "get", "FOO", "",
        ] {
            assert!(!is_supported_method(refused), "{refused}");
        }
    }

    #[test]
    fn initiators() {
        let ours = "https://app.example";
        let cases = [
            (Some("same-origin"), None, Initiator::SameOrigin),
            (None, Some(ours), Initiator::SameOrigin),
            (Some("same-origin"), Some(ours), Initiator::SameOrigin),
            (Some("cross-site"), None, Initiator::Foreign),
            (Some("same-site"), Some(ours), Initiator::Foreign),
            (
                Some("same-origin"),
                Some("https://evil.example"),
                Initiator::Foreign,
            ),
            (None, Some("null"), Initiator::Foreign),
            (Some("none"), None, Initiator::Unknown),
            (None, None, Initiator::Unknown),
        ];
        for (site, origin, want) in cases {
            assert_eq!(
                classify_initiator(site, origin, ours),
                want,
                "{site:?} {origin:?}"
            );
        }
    }
}
