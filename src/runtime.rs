//! What the pure core leaves to the host: the clock and randomness.

use worker::Date;

use crate::error::GatewayError;

/// Milliseconds since the epoch, from the runtime's clock.
pub fn now_ms() -> u64 {
    Date::now().as_millis()
}

/// Random bytes from the runtime's CSPRNG (`crypto.getRandomValues`). Fails closed: PKCE
/// verifiers, `state`, salts and IVs made of zeros would be guessable, so a failure refuses the
/// request (500, logged) instead.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], GatewayError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|_| GatewayError::Internal("the runtime's random number generator failed"))?;
    Ok(bytes)
}
