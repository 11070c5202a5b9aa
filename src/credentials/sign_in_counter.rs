//! The sign-in loop breaker's counter (see `web::sign_in_loop`): the callback counts completed
//! sign-ins in a small cookie, a request that arrives with a working session deletes it, and
//! `/auth/login` refuses to start another sign-in when the count says the browser is looping.

use workos_edge_core::web::sign_in_loop::{
    count_sign_in, loop_detected, COUNTER_COOKIE, LOOP_WINDOW_SECONDS,
};
use workos_edge_core::web::{cookie_value, CookieAttributes, SameSite};

use crate::config::Config;
use crate::context::RequestContext;

/// Sent on every path (so the first request with a session can delete it), for as long as the
/// loop window. No `Domain`: it must stick even when the session cookie's domain is wrong.
fn attributes(cfg: &Config) -> CookieAttributes {
    CookieAttributes {
        path: "/".into(),
        domain: None,
        max_age: Some(LOOP_WINDOW_SECONDS),
        same_site: SameSite::Lax,
        secure: cfg.cookie.secure,
    }
}

/// Seconds to wait when a new sign-in would continue a loop.
pub fn looping(cookie_header: Option<&str>, now_s: u64) -> Option<u64> {
    loop_detected(
        cookie_header.and_then(|h| cookie_value(h, COUNTER_COOKIE)),
        now_s,
    )
}

/// Counts a completed sign-in on the callback's response.
pub fn completed(cfg: &Config, ctx: &mut RequestContext, cookie_header: &str, now_s: u64) {
    let counter = count_sign_in(cookie_value(cookie_header, COUNTER_COOKIE), now_s);
    ctx.add_cookie(attributes(cfg).set_cookie(COUNTER_COOKIE, &counter));
}

/// Deletes the counter: a session was seen working (the sign-ins were not a loop), or the
/// browser signs out (a counter planted for it goes with the session).
pub fn clear(cfg: &Config, ctx: &mut RequestContext, cookie_header: Option<&str>) {
    if cookie_header.is_some_and(|h| cookie_value(h, COUNTER_COOKIE).is_some()) {
        ctx.add_cookie(attributes(cfg).clear_cookie(COUNTER_COOKIE));
    }
}
