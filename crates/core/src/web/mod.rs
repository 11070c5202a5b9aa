//! HTTP details every host needs and none should get wrong, each in its own module:
//!
//! * [`activity`]: the inactivity timeout's MAC-protected activity cookie;
//! * [`path`]: the one normalised view of a request path that rules match and origins receive;
//! * [`glob`]: path globs matched in linear time;
//! * [`rules`]: route rules (organization, role, permission per path);
//! * [`headers`]: which inbound headers are ours to strip;
//! * [`cookies`]: `Cookie` parsing and rewriting, `Set-Cookie` with size and prefix checks;
//! * [`chunks`]: sessions larger than one cookie, split over `<name>.0 … <name>.N`;
//! * [`cors`]: answering preflights and marking responses for allowed origins;
//! * [`sign_in_loop`]: noticing a browser that signs in but never keeps its session;
//! * [`return_to`]: keeping `returnTo` on our origin;
//! * [`callback`]: the shape of the sign-in callback's query;
//! * [`bearer`]: `Authorization: Bearer` credentials and RFC 6750 challenges;
//! * [`well_known`]: RFC 9728 protected-resource metadata;
//! * [`webhook`]: WorkOS webhook signatures (as the SDK checks them) and events;
//! * [`url`]: the parts of a request URL, without a URL parser.

pub mod activity;
pub mod bearer;
pub mod callback;
pub mod chunks;
pub mod cookies;
pub mod cors;
pub mod glob;
pub mod headers;
pub mod path;
pub mod return_to;
pub mod rules;
pub mod sign_in_loop;
pub mod url;
pub mod webhook;
pub mod well_known;

pub use cookies::{
    cookie_pairs, cookie_value, rewrite_cookie_header, CookieAttributes, CookieNameError, SameSite,
    MAX_SET_COOKIE_BYTES,
};
pub use glob::{parse_globs, PathGlob};
pub use headers::is_identity_header;
pub use path::{normalize_path, PathError};
pub use return_to::safe_return_path;
pub use rules::{any_rule_covers, parse_route_rules, unmet_requirement, Requirement, RouteRule};
pub use url::{query_param, url_parts, UrlParts};
