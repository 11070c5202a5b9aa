//! Headers on the way to the origin and back: inbound identity spellings removed, our identity
//! added, and authenticated responses kept out of shared caches.

use std::borrow::Cow;

use web_sys::{Headers, Response};
use workos_edge_core::web::chunks::{has_chunks, origin_cookie_header, session_cookie_value};
use workos_edge_core::web::is_identity_header;

use crate::config::Config;
use crate::context::RequestContext;
use crate::credentials::{ActiveSession, Identity};
use crate::error::GatewayError;
use crate::http::with_headers;
use crate::runtime::fetch::header_names;

/// Inbound headers minus anything that could be read as one of our identity headers (any
/// case, `_` for `-`), whatever happens next. The copy is made by the runtime in one call;
/// only the names cross into wasm.
pub fn without_identity(inbound: &Headers) -> Result<Headers, GatewayError> {
    let headers = Headers::new_with_headers(inbound)?;
    let ours: Vec<String> = header_names(inbound)?
        .into_iter()
        .filter(|name| is_identity_header(name))
        .collect();
    for name in ours {
        headers.delete(&name)?;
    }
    Ok(headers)
}

/// The headers for a public path: [`without_identity`], with a chunked session joined
/// ([`join_session_chunks`]). When there is nothing to strip or join (most public requests),
/// the inbound headers themselves, uncopied: the outgoing request copies them anyway.
pub fn for_public(
    inbound: &Headers,
    cookie_header: Option<&str>,
    cfg: &Config,
) -> Result<Headers, GatewayError> {
    let chunked = cookie_header.is_some_and(|cookies| has_chunks(cookies, &cfg.cookie_name));
    let spoofed = header_names(inbound)?
        .iter()
        .any(|name| is_identity_header(name));
    if !chunked && !spoofed {
        return Ok(inbound.clone());
    }
    let forwarded = without_identity(inbound)?;
    join_session_chunks(&forwarded, cookie_header, cfg)?;
    Ok(forwarded)
}

/// The identity headers for `identity`, as `(name, value)`; `X-WorkOS-Credential` says which
/// kind of credential vouched for it.
pub fn identity(identity: &Identity) -> Vec<(&'static str, String)> {
    let mut headers = match identity {
        Identity::Session(active) => session_identity(active),
        Identity::AccessToken(token) => {
            let claims = &token.claims;
            // The token carries no email.
            [
                ("X-WorkOS-User-Id", claims.sub.clone()),
                ("X-WorkOS-Session-Id", claims.sid.clone()),
                ("X-WorkOS-Organization-Id", claims.org_id.clone()),
                ("X-WorkOS-Role", claims.role.clone()),
                (
                    "X-WorkOS-Permissions",
                    claims.permissions.as_ref().map(|p| p.join(",")),
                ),
            ]
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| (name, v)))
            .collect()
        }
        Identity::ApiKey(key) => [
            ("X-WorkOS-Api-Key-Id", Some(key.id.clone())),
            (
                "X-WorkOS-Organization-Id",
                key.organization_id().map(str::to_owned),
            ),
            ("X-WorkOS-Permissions", Some(key.permissions.join(","))),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect(),
    };
    headers.push(("X-WorkOS-Credential", identity.credential().to_owned()));
    headers
}

/// The identity headers of a cookie session.
fn session_identity(active: &ActiveSession) -> Vec<(&'static str, String)> {
    let claims = &active.claims;
    let email = active
        .cookie
        .user()
        .and_then(|u| u.get("email"))
        .and_then(|e| e.as_str())
        .map(str::to_owned);
    [
        ("X-WorkOS-User-Id", active.user_id()),
        ("X-WorkOS-User-Email", email),
        ("X-WorkOS-Session-Id", claims.sid.clone()),
        ("X-WorkOS-Organization-Id", claims.org_id.clone()),
        ("X-WorkOS-Role", claims.role.clone()),
        (
            "X-WorkOS-Permissions",
            claims.permissions.as_ref().map(|p| p.join(",")),
        ),
        (
            "X-WorkOS-Impersonator-Email",
            active.cookie.impersonator().map(|i| i.email),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect()
}

/// A header value as visible ASCII: other bytes (non-ASCII names and emails, which `Headers`
/// refuses above U+00FF, and control characters) and `%` itself are percent-encoded as UTF-8,
/// so `decodeURIComponent` gives the value back. Plain ASCII values pass unchanged.
pub fn header_safe(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Adds the identity headers, and a refreshed (or reassembled) session cookie to the `Cookie`
/// header so that an origin running `@workos-inc/node` sees the new session in this very request. (A bearer
/// request's `Authorization` header goes to the origin as sent.)
pub fn add_identity(
    headers: &Headers,
    who: &Identity,
    cookie_header: Option<&str>,
    cfg: &Config,
) -> Result<(), GatewayError> {
    for (name, value) in identity(who) {
        headers.set(name, &header_safe(&value))?;
    }
    let Identity::Session(active) = who else {
        return Ok(());
    };
    let cookies = cookie_header.unwrap_or_default();
    // The origin always sees one `wos-session`: the new one, or the chunks joined.
    let value = match &active.new_cookie {
        Some(fresh) => Some(Cow::Borrowed(fresh.as_str())),
        None if has_chunks(cookies, &cfg.cookie_name) => {
            session_cookie_value(cookies, &cfg.cookie_name)
        }
        None => None,
    };
    if let Some(value) = value {
        headers.set(
            "Cookie",
            &origin_cookie_header(cookies, &cfg.cookie_name, &value),
        )?;
    }
    Ok(())
}

/// Gives the origin one `wos-session` cookie when the request carries the session in chunks.
pub fn join_session_chunks(
    headers: &Headers,
    cookie_header: Option<&str>,
    cfg: &Config,
) -> Result<(), GatewayError> {
    let Some(cookies) = cookie_header.filter(|c| has_chunks(c, &cfg.cookie_name)) else {
        return Ok(());
    };
    if let Some(value) = session_cookie_value(cookies, &cfg.cookie_name) {
        headers.set(
            "Cookie",
            &origin_cookie_header(cookies, &cfg.cookie_name, &value),
        )?;
    }
    Ok(())
}

/// Copies an authenticated response with headers we control: never stored by shared caches,
/// `Vary` on the credential's header, and the auth timing.
pub fn private_response(
    response: Response,
    ctx: &RequestContext,
    bearer: bool,
) -> Result<Response, GatewayError> {
    let (auth_ms, decision) = (ctx.auth_ms.unwrap_or_default(), ctx.decision);
    let headers = Headers::new_with_headers(&response.headers())?;
    for name in ["Expires", "Pragma"] {
        headers.delete(name)?;
    }
    headers.set("Cache-Control", "private, no-store")?;
    headers.append("Vary", if bearer { "Authorization" } else { "Cookie" })?;
    headers.append(
        "Server-Timing",
        &format!("auth;dur={auth_ms};desc=\"{decision}\""),
    )?;
    with_headers(&response, &headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_visible_ascii() {
        assert_eq!(header_safe("ada@example.com"), "ada@example.com");
        assert_eq!(header_safe("reports:read,admin"), "reports:read,admin");
        assert_eq!(header_safe("zoë@exämple.com"), "zo%C3%AB@ex%C3%A4mple.com");
        assert_eq!(header_safe("王@example.com"), "%E7%8E%8B@example.com");
        assert_eq!(header_safe("a\r\nb%"), "a%0D%0Ab%25");
    }
}
