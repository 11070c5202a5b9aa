//! Browser URLs: AuthKit sign-in (with PKCE) and WorkOS sign-out.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::encoding::{b64url_encode, form_urlencode, rfc1738_encode};

/// Why a URL could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// Neither `provider`, `connection_id` nor `organization_id` was given.
    IncompleteArguments,
    /// `screen_hint` needs `provider = "authkit"`.
    ScreenHintWithoutAuthkit,
    /// A logout URL needs the session id (`sid`).
    MissingSessionId,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IncompleteArguments => {
                "Incomplete arguments. Need to specify either a 'connectionId', 'organizationId', or 'provider'."
            }
            Self::ScreenHintWithoutAuthkit => "'screenHint' is only supported for 'authkit' provider",
            Self::MissingSessionId => "Incomplete arguments. Need to specify 'sessionId'.",
        })
    }
}

impl std::error::Error for UrlError {}

/// `GET /user_management/sessions/logout?session_id=...&return_to=...`, encoded as
/// `URLSearchParams` encodes it (the SDK's `getLogoutUrl`).
pub fn logout_url(
    base_url: &str,
    session_id: &str,
    return_to: Option<&str>,
) -> Result<String, UrlError> {
    if session_id.is_empty() {
        return Err(UrlError::MissingSessionId);
    }
    let mut url = format!(
        "{}/user_management/sessions/logout?session_id={}",
        base_url.trim_end_matches('/'),
        form_urlencode(session_id)
    );
    if let Some(return_to) = return_to.filter(|r| !r.is_empty()) {
        url.push_str("&return_to=");
        url.push_str(&form_urlencode(return_to));
    }
    Ok(url)
}

/// `sign-in` or `sign-up` for AuthKit's hosted pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenHint {
    /// The sign-in page.
    SignIn,
    /// The sign-up page.
    SignUp,
}

/// A PKCE pair: keep the verifier (sealed, server side), send the challenge.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    /// 43 characters of base64url.
    pub verifier: String,
    /// `base64url(sha256(verifier))`, method `S256`.
    pub challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

impl Pkce {
    /// A pair from 32 random bytes (the SDK's default verifier length, 43 characters).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        let verifier = b64url_encode(&bytes);
        Self {
            challenge: pkce_challenge(&verifier),
            verifier,
        }
    }
}

/// The S256 challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    b64url_encode(&Sha256::digest(verifier.as_bytes()))
}

/// An OAuth `state` value from 32 random bytes (43 characters).
pub fn state_from_random(bytes: [u8; 32]) -> String {
    b64url_encode(&bytes)
}

/// Options of `GET /user_management/authorize` (the SDK's `getAuthorizationUrl`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationUrlOptions {
    /// `client_...`
    pub client_id: String,
    /// Where WorkOS sends the browser back with `code` and `state`.
    pub redirect_uri: String,
    /// `authkit` or an OAuth provider (`GoogleOAuth`...).
    pub provider: Option<String>,
    /// SSO connection.
    pub connection_id: Option<String>,
    /// Organization to sign in to.
    pub organization_id: Option<String>,
    /// Pre-fill the email.
    pub login_hint: Option<String>,
    /// Domain hint for SSO.
    pub domain_hint: Option<String>,
    /// Sign-in or sign-up page (AuthKit only).
    pub screen_hint: Option<ScreenHint>,
    /// CSRF state, echoed back.
    pub state: Option<String>,
    /// PKCE challenge (`S256`).
    pub code_challenge: Option<String>,
    /// `login`, `consent`... passed through.
    pub prompt: Option<String>,
    /// Invitation to accept.
    pub invitation_token: Option<String>,
    /// Maximum age of the user's last sign-in, in seconds.
    pub max_age: Option<u64>,
}

/// Builds the authorize URL with the SDK's query: keys sorted, RFC 1738 encoding.
pub fn authorization_url(
    base_url: &str,
    options: &AuthorizationUrlOptions,
) -> Result<String, UrlError> {
    if options.provider.is_none()
        && options.connection_id.is_none()
        && options.organization_id.is_none()
    {
        return Err(UrlError::IncompleteArguments);
    }
    if options.screen_hint.is_some() && options.provider.as_deref() != Some("authkit") {
        return Err(UrlError::ScreenHintWithoutAuthkit);
    }
    let screen_hint = options.screen_hint.map(|hint| match hint {
        ScreenHint::SignIn => "sign-in".to_owned(),
        ScreenHint::SignUp => "sign-up".to_owned(),
    });
    let mut params: Vec<(&str, String)> = [
        ("client_id", Some(options.client_id.clone())),
        ("code_challenge", options.code_challenge.clone()),
        (
            "code_challenge_method",
            options.code_challenge.as_ref().map(|_| "S256".to_owned()),
        ),
        ("connection_id", options.connection_id.clone()),
        ("domain_hint", options.domain_hint.clone()),
        ("invitation_token", options.invitation_token.clone()),
        ("login_hint", options.login_hint.clone()),
        ("max_age", options.max_age.map(|s| s.to_string())),
        ("organization_id", options.organization_id.clone()),
        ("prompt", options.prompt.clone()),
        ("provider", options.provider.clone()),
        ("redirect_uri", Some(options.redirect_uri.clone())),
        ("response_type", Some("code".to_owned())),
        ("screen_hint", screen_hint),
        ("state", options.state.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    params.sort_by(|a, b| a.0.cmp(b.0));
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", rfc1738_encode(k), rfc1738_encode(v)))
        .collect();
    Ok(format!(
        "{}/user_management/authorize?{}",
        base_url.trim_end_matches('/'),
        query.join("&")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            pkce_challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn authorize_url_is_sorted_and_encoded() {
        let url = authorization_url(
            "https://api.workos.com",
            &AuthorizationUrlOptions {
                client_id: "client_1".into(),
                redirect_uri: "http://localhost:8787/auth/callback".into(),
                provider: Some("authkit".into()),
                screen_hint: Some(ScreenHint::SignUp),
                state: Some("a b".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            url,
            "https://api.workos.com/user_management/authorize?client_id=client_1&provider=authkit\
             &redirect_uri=http%3A%2F%2Flocalhost%3A8787%2Fauth%2Fcallback&response_type=code\
             &screen_hint=sign-up&state=a+b"
        );
    }

    #[test]
    fn logout_requires_a_session_id() {
        assert_eq!(
            logout_url("https://x", "", None),
            Err(UrlError::MissingSessionId)
        );
    }
}
