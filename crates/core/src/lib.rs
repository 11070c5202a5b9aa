//! # workos-edge-core
//!
//! The pure core of workos-edge: WorkOS AuthKit sessions without a Node server. It reads and
//! writes the `wos-session` cookie byte-for-byte as `@workos-inc/node` and `iron-session` do,
//! verifies the RS256 access token inside it, and makes the SDK's `authenticate()` /
//! `refresh()` / `getLogoutUrl()` decisions with the SDK's reason strings.
//!
//! It does no I/O: time, JWKS, random bytes and HTTP replies come in as arguments, and calls to
//! WorkOS go out as [`api::ApiRequest`] descriptions. The Cloudflare Worker, the npm package and
//! the CLI all run this same code.
//!
//! ```
//! use workos_edge_core::{authenticate, cookie, iron::SealRandomness, jwt, PasswordSet};
//!
//! // A cookie written by @workos-inc/node 11 (from the test vectors).
//! let vectors: serde_json::Value =
//!     serde_json::from_str(include_str!("../tests/data/public.json")).unwrap();
//! let vector = &vectors["seal_vectors"][0];
//! let passwords = PasswordSet::single(vector["password"].as_str().unwrap()).unwrap();
//! let jwks: jwt::Jwks = serde_json::from_value(vectors["jwks"].clone()).unwrap();
//! let now_ms = 1_800_000_000_000;
//!
//! let session = authenticate::authenticate(
//!     vector["sealed"].as_str(),
//!     &passwords,
//!     &jwks,
//!     &jwt::RustRsaVerifier,
//!     now_ms,
//!     &jwt::VerifyOptions::default(),
//! )
//! .expect("the SDK's own cookie authenticates");
//! assert_eq!(session.session_id(), Some("session_0141MFPP4NQKE3YK0W7C6ACY93"));
//!
//! // Reseal it (the caller supplies the randomness) and read it back.
//! let resealed = cookie::seal_json(
//!     &session.cookie.clone().into_json(),
//!     &passwords,
//!     &SealRandomness::from_bytes([42; 80]),
//!     None,
//! );
//! assert!(resealed.ends_with("~2"));
//! let reopened = cookie::unseal_json(&resealed, &passwords, now_ms).unwrap();
//! assert_eq!(reopened, session.cookie.into_json());
//! ```
//!
//! ## Security
//!
//! * **What is authenticated:** the whole cookie (HMAC-SHA256 over every component, checked in
//!   constant time before decryption), and the access token's RS256 signature, `exp` and `nbf`.
//!   The user object in the cookie is trusted because the MAC covers it; nothing checks that it
//!   matches the token's `sub` (neither does the SDK).
//! * **Rotation:** [`PasswordSet::map`] opens seals made with any listed password and seals with
//!   the highest id, as iron-session does. The SDK itself only knows id `1`: to rotate a cookie
//!   it can read, refresh it with the new password ([`refresh::complete_refresh`]).
//! * **Leeway:** [`jwt::VerifyOptions::leeway_seconds`] defaults to 0, as the SDK. Seals carry
//!   iron's fixed 60 s skew on their own (optional) expiration.
//! * **Hostile input never throws:** where the SDK throws (unknown `kid`, `alg: none`, `HS256`,
//!   malformed expirations or base64, non-JSON plaintext) the result is `invalid_jwt` or
//!   `invalid_session_cookie`. A padded or standard-alphabet MAC is refused (the SDK on Node 20
//!   accepts it; iron-session refuses it).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Everything here runs on attacker-controlled input inside a Worker, where a panic aborts the
// isolate: deny the constructs that can panic (tests may use them).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod api;
pub mod assertion;
pub mod authenticate;
pub mod coalesce;
pub mod cookie;
pub mod encoding;
pub mod iron;
pub mod json;
pub mod jwt;
pub mod password;
pub mod redact;
pub mod refresh;
pub mod session;
pub mod urls;
pub mod web;

pub use authenticate::{AuthenticateFailure, AuthenticateFailureReason, AuthenticatedSession};
pub use password::{Password, PasswordError, PasswordSet, SealedWith};
pub use session::SessionCookieData;

/// The SDK's `getLogoutUrl()` on a cookie session: authenticate, then build the logout URL
/// from the token's `sid`. The error texts are the SDK's.
pub fn logout_url_for(
    result: &authenticate::AuthenticateResult,
    base_url: &str,
    return_to: Option<&str>,
) -> Result<String, String> {
    let session = result.as_ref().map_err(|failure| {
        format!(
            "Failed to extract session ID for logout URL: {}",
            failure.reason()
        )
    })?;
    urls::logout_url(
        base_url,
        session.session_id().unwrap_or_default(),
        return_to,
    )
    .map_err(|e| e.to_string())
}
