//! The query of `GET /auth/callback`, checked for shape before anything touches it.

use std::fmt;

use crate::encoding::form_urldecode;

/// Length of the `state` values we issue ([`crate::urls::state_from_random`]: 32 random
/// bytes in base64url).
pub const STATE_LENGTH: usize = 43;
/// Longest authorization code accepted (WorkOS codes are a few dozen characters).
const MAX_CODE_LENGTH: usize = 1024;

/// What WorkOS sent back to the callback. `Debug` hides the code.
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackParams {
    /// The authorization code to exchange.
    pub code: String,
    /// Our `state`, exactly [`STATE_LENGTH`] base64url characters.
    pub state: String,
}

impl fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackParams")
            .field("code", &crate::redact::Redacted(&self.code))
            .field("state", &self.state)
            .finish()
    }
}

/// Why a callback query is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// WorkOS (or the user) ended the sign-in: the `error` parameter, reduced to a safe code
    /// (at most 64 of `[A-Za-z0-9_.-]`).
    Refused(String),
    /// `code` or `state` is missing.
    Incomplete,
    /// `code` or `state` does not have the shape we issue or WorkOS sends.
    Malformed,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(code) => write!(f, "authorize error: {code}"),
            Self::Incomplete => f.write_str("code or state missing"),
            Self::Malformed => f.write_str("code or state malformed"),
        }
    }
}

/// Whether `state` has the shape of one we issued.
pub fn is_valid_state(state: &str) -> bool {
    state.len() == STATE_LENGTH
        && state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_valid_code(code: &str) -> bool {
    (1..=MAX_CODE_LENGTH).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// Parses the callback's query string (without `?`). The first of repeated parameters wins, as
/// `URLSearchParams.get` does.
///
/// ```
/// use workos_edge_core::web::callback::{parse_callback_query, CallbackError};
/// let state = "a".repeat(43);
/// let ok = parse_callback_query(Some(&format!("code=01ABC&state={state}"))).unwrap();
/// assert_eq!(ok.code, "01ABC");
/// assert_eq!(parse_callback_query(Some("code=x&state=%C3%A9")), Err(CallbackError::Malformed));
/// ```
pub fn parse_callback_query(query: Option<&str>) -> Result<CallbackParams, CallbackError> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    for pair in query.unwrap_or_default().split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match key {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    if let Some(error) = error {
        let error = form_urldecode(error).unwrap_or_default();
        let safe: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            .take(64)
            .collect();
        return Err(CallbackError::Refused(safe));
    }
    let (Some(code), Some(state)) = (code, state) else {
        return Err(CallbackError::Incomplete);
    };
    let code = form_urldecode(code).ok_or(CallbackError::Malformed)?;
    let state = form_urldecode(state).ok_or(CallbackError::Malformed)?;
    if !is_valid_state(&state) || !is_valid_code(&code) {
        return Err(CallbackError::Malformed);
    }
    Ok(CallbackParams { code, state })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let state = "Ab-_".repeat(10) + "xyz";
        let ok = parse_callback_query(Some(&format!("state={state}&code=01H%2Ex&code=other")));
        assert_eq!(
            ok,
            Ok(CallbackParams {
                code: "01H.x".into(),
                state: state.clone()
            })
        );
        for (query, want) in [
            (None, CallbackError::Incomplete),
            (Some("code=x"), CallbackError::Incomplete),
            (Some("state=x"), CallbackError::Incomplete),
            (Some("code=x&state="), CallbackError::Malformed),
            (
                Some("code=x&state=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%E2%82%AC"),
                CallbackError::Malformed,
            ),
            (Some("code=x&state=%zz"), CallbackError::Malformed),
            (Some("code=&state=x"), CallbackError::Malformed),
        ] {
            assert_eq!(parse_callback_query(query), Err(want), "{query:?}");
        }
        let multibyte = format!("code=x&state={}", "é".repeat(22));
        assert_eq!(
            parse_callback_query(Some(&multibyte)),
            Err(CallbackError::Malformed)
        );
        let long_code = format!("code={}&state={state}", "a".repeat(2000));
        assert_eq!(
            parse_callback_query(Some(&long_code)),
            Err(CallbackError::Malformed)
        );
        assert_eq!(
            parse_callback_query(Some("error=access_denied%3Cscript%3E&code=x")),
            Err(CallbackError::Refused("access_deniedscript".into()))
        );
    }
}
