//! The inactivity timeout (`INACTIVITY_TIMEOUT_SECONDS`): a session unused for longer is signed
//! out, without resealing `wos-session` on every request.
//!
//! A small MAC-protected cookie (`<cookie name>-activity`, see `web::activity`) records when
//! the session was last used; it is rewritten at most about four times per timeout. When it is
//! missing or not ours, the access token's `iat` stands in: WorkOS minted that token at the last
//! sign-in or refresh, which a request caused, so it is never later than the last activity and
//! dropping the cookie never buys time. The check runs before any refresh, so an idle session
//! does not spend its refresh token on the request that signs it out.

use workos_edge_core::web::activity::{activity_value, is_idle, last_activity, needs_renewal};
use workos_edge_core::web::cookie_value;

use crate::config::Config;
use crate::context::RequestContext;

/// When the session `sid` was last active, by its activity cookie, if that is valid.
fn recorded(cfg: &Config, cookie_header: Option<&str>, sid: &str) -> Option<u64> {
    let value = cookie_header.and_then(|h| cookie_value(h, &cfg.activity_cookie_name))?;
    last_activity(&cfg.passwords, sid, value)
}

/// Whether the session `sid`, whose access token was issued at `issued_at` (seconds), has been
/// idle past the timeout at `now_s`. Always `false` when the timeout is off.
pub fn timed_out(
    cfg: &Config,
    cookie_header: Option<&str>,
    sid: Option<&str>,
    issued_at: Option<i64>,
    now_s: u64,
) -> bool {
    let Some(timeout) = cfg.inactivity_timeout_seconds else {
        return false;
    };
    let from_cookie = sid.and_then(|sid| recorded(cfg, cookie_header, sid));
    let from_token = issued_at.and_then(|iat| u64::try_from(iat).ok());
    // The later of the two is still a time we can vouch for; with neither, the session has no
    // provable activity and is treated as idle.
    match from_cookie.max(from_token) {
        Some(last) => is_idle(last, now_s, timeout),
        None => true,
    }
}

/// Records this request as activity: writes the cookie when it is missing or getting old.
pub fn touch(
    cfg: &Config,
    ctx: &mut RequestContext,
    cookie_header: Option<&str>,
    sid: Option<&str>,
    now_s: u64,
) {
    let (Some(timeout), Some(sid)) = (cfg.inactivity_timeout_seconds, sid) else {
        return;
    };
    if !needs_renewal(recorded(cfg, cookie_header, sid), now_s, timeout) {
        return;
    }
    if let Some(value) = activity_value(&cfg.passwords, sid, now_s) {
        ctx.add_cookie(cfg.cookie.set_cookie(&cfg.activity_cookie_name, &value));
    }
}
