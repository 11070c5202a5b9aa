//! `Authorization: Bearer <access token>`: an AuthKit access token from a CLI, a native app or
//! an MCP client, verified exactly like the token inside a cookie (RS256 against the WorkOS
//! JWKS, the same isolate caches, `exp`/`nbf`, `WORKOS_ISSUER`), plus `aud` when
//! `WORKOS_AUDIENCE` is set. Nothing is refreshed: the client owns its refresh token.

use workos_edge_core::jwt::{JwtError, VerifiedAccessToken, VerifyOptions};

use crate::config::Config;
use crate::error::GatewayError;
use crate::tokens::{verify_access_token, JwksSource, TokenCheckError};

/// Verifies a bearer access token at `now_ms`.
pub async fn verify(
    token: &str,
    cfg: &Config,
    now_ms: u64,
) -> Result<VerifiedAccessToken, GatewayError> {
    let options = VerifyOptions {
        leeway_seconds: cfg.jwt_leeway_seconds,
        issuers: cfg.issuers.clone(),
    };
    let source = JwksSource {
        api_base_url: &cfg.api_base_url,
        client_id: &cfg.client_id,
        timeout_ms: cfg.api_timeout_ms,
    };
    match verify_access_token(token, &source, &options, now_ms).await {
        Ok(verified) if verified.claims.audience_matches(&cfg.audiences) => Ok(verified),
        Ok(_) => Err(GatewayError::InvalidToken(
            "the access token is for another audience",
        )),
        Err(TokenCheckError::Invalid(error)) => Err(GatewayError::InvalidToken(describe(&error))),
        Err(TokenCheckError::JwksUnavailable(failure)) => Err(GatewayError::Unavailable {
            retry_after: failure.retry_after.unwrap_or(5),
        }),
    }
}

/// A short `error_description` for a refused token: what a client developer needs, nothing
/// from the token itself.
fn describe(error: &JwtError) -> &'static str {
    match error {
        JwtError::Expired => "the access token expired",
        JwtError::NotYetValid => "the access token is not valid yet",
        JwtError::UnsupportedAlgorithm(_) => "the access token must be signed with RS256",
        JwtError::WrongIssuer => "the access token is from another issuer",
        JwtError::Malformed | JwtError::MalformedClaims => "the access token is malformed",
        _ => "the access token signature does not verify",
    }
}
