//! CORS preflights, answered at the edge (`CORS_ALLOWED_ORIGINS`): browsers send them without
//! cookies, so they must never meet the session check or a sign-in redirect.
//!
//! * an allowed `Origin`: `204` with the CORS headers (see `web::cors`);
//! * no allow-list and a public path: the preflight goes to the origin, which may answer it;
//! * otherwise: `403`, without CORS headers, so the browser stops the call.

use workos_edge_core::web::cors::{allowed_origin, preflight_headers};

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;

/// Answers a preflight for `path` (normalised), or `None` to let it through to the origin.
pub fn preflight(
    headers: &web_sys::Headers,
    path: &str,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Option<web_sys::Response>, GatewayError> {
    ctx.decision = "preflight";
    let get = |name: &str| headers.get(name).ok().flatten();
    let origin = get("origin");
    if cfg.cors_allowed_origins.is_empty() && cfg.is_public(path) {
        return Ok(None);
    }
    let allowed = allowed_origin(&cfg.cors_allowed_origins, origin.as_deref());
    let request_method = get("access-control-request-method").unwrap_or_default();
    let answer = allowed.and_then(|origin| {
        preflight_headers(
            origin,
            &request_method,
            get("access-control-request-headers").as_deref(),
        )
    });
    let Some(answer) = answer else {
        return Err(GatewayError::CorsRefused);
    };
    let out = web_sys::Headers::new()?;
    for (name, value) in answer {
        out.set(name, &value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(204);
    init.set_headers(&out);
    Ok(Some(web_sys::Response::new_with_opt_str_and_init(
        None, &init,
    )?))
}
