//! Sign-out: `GET|POST /auth/logout` clears the cookie, ends the grace replay of the session's
//! refreshes and, when there is a session, ends it at WorkOS (whose logout URL comes back to
//! this site's home page).
//!
//! A link or form on another site must not sign people out: a `GET` signs out only when the
//! browser says it is a same-origin navigation (`Sec-Fetch-Site: same-origin`), otherwise it
//! shows a page whose button POSTs here; a `POST` is refused when `Origin` or
//! `Sec-Fetch-Site` names another site.

use web_sys::{Request, Response};
use workos_edge_core::urls::logout_url;
use workos_edge_core::web::chunks::session_cookie_value;

use crate::config::Config;
use crate::context::RequestContext;
use crate::credentials::cookie::{forget, session_id_of};
use crate::credentials::sign_in_counter;
use crate::error::GatewayError;
use crate::http::{header, initiator, redirect, site_origin, Initiator};
use crate::refresh;
use crate::runtime::now_ms;

/// `GET|POST /auth/logout`.
pub async fn logout(
    request: &Request,
    method: &str,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Response, GatewayError> {
    ctx.decision = "logout";
    match (method, initiator(request)?) {
        ("POST", Initiator::Foreign) => return Err(GatewayError::CrossSite),
        ("POST", _) => {}
        // Same-origin, and a navigation (an `<img src=/auth/logout>` in user content is
        // same-origin too, but `no-cors`); browsers without `Sec-Fetch-Mode` say nothing.
        (_, Initiator::SameOrigin)
            if matches!(
                header(request, "sec-fetch-mode").as_deref(),
                None | Some("navigate")
            ) => {}
        _ => {
            ctx.reason =
                Some("sign-out needs a confirmation (not a same-origin navigation)".into());
            return confirmation_page();
        }
    }
    let cookies = header(request, "cookie");
    let now = now_ms();
    let home = format!("{}/", site_origin(request)?);
    let target = match session_id_of(cfg, cookies.as_deref(), now) {
        Some(sid) => logout_url(&cfg.api_base_url, &sid, Some(&home))
            .map_err(|_| GatewayError::BadRequest("This session cannot be signed out here."))?,
        None => "/".to_owned(),
    };
    if let Some(sealed) = cookies
        .as_deref()
        .and_then(|c| session_cookie_value(c, &cfg.cookie_name))
    {
        forget(&sealed);
        refresh::end_replay(cfg, &sealed, now).await;
    }
    ctx.clear_session(cfg, cookies.as_deref());
    sign_in_counter::clear(cfg, ctx, cookies.as_deref());
    redirect(&target)
}

/// A page with a sign-out button: the way to sign out from a link we cannot trust.
fn confirmation_page() -> Result<Response, GatewayError> {
    let page = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width\"><title>Sign out</title>\
        <body style=\"font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem\">\
        <main><h1>Sign out?</h1><form method=\"post\" action=\"/auth/logout\">\
        <button type=\"submit\">Sign out</button></form><p><a href=\"/\">Cancel</a></p></main></body></html>";
    let response = crate::http::html(200, page)?;
    let headers = response.headers();
    headers.set("Cache-Control", "private, no-store")?;
    // A sign-out button must not be framed by another page (clickjacking).
    headers.set("Content-Security-Policy", "frame-ancestors 'none'")?;
    headers.set("X-Frame-Options", "DENY")?;
    Ok(response)
}
