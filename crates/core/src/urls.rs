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

/// Which AuthKit page to open first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenHint {
    /// The sign-in page.
    SignIn,
    /// The sign-up page.
    SignUp,
    /// Any other hint, passed through as the SDK does.
    Other(String),
}

impl ScreenHint {
    /// Parses a hint (`sign-in`, `sign-up`, or anything else verbatim).
    pub fn parse(text: &str) -> Self {
        match text {
            "sign-in" => Self::SignIn,
            "sign-up" => Self::SignUp,
            other => Self::Other(other.to_owned()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Self::SignIn => "sign-in",
            Self::SignUp => "sign-up",
            Self::Other(other) => other,
        }
    }
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
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// PKCE method, `S256` (sent only when given, as the SDK).
    pub code_challenge_method: Option<String>,
    /// Extra OAuth scopes for the upstream provider (repeated `provider_scopes`).
    pub provider_scopes: Vec<String>,
    /// Extra query parameters for the upstream provider (`provider_query_params[key]`).
    pub provider_query_params: Vec<(String, String)>,
    /// Nonce to bind the sign-in to (`claim_nonce`).
    pub claim_nonce: Option<String>,
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
    // The SDK's toQueryString: keys sorted, arrays repeated, objects as key[sub] (sorted).
    let single: [(&str, Option<String>); 16] = [
        ("claim_nonce", options.claim_nonce.clone()),
        ("client_id", Some(options.client_id.clone())),
        ("code_challenge", options.code_challenge.clone()),
        (
            "code_challenge_method",
            options.code_challenge_method.clone(),
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
        (
            "screen_hint",
            options.screen_hint.as_ref().map(|h| h.as_str().to_owned()),
        ),
        ("state", options.state.clone()),
    ];
    let pair =
        |key: &str, value: &str| format!("{}={}", rfc1738_encode(key), rfc1738_encode(value));
    let mut params: Vec<(&str, String)> = single
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key, pair(key, &v))))
        .collect();
    let mut provider_params = options.provider_query_params.clone();
    provider_params.sort_by(|a, b| a.0.cmp(&b.0));
    for (sub, value) in &provider_params {
        params.push((
            "provider_query_params",
            pair(&format!("provider_query_params[{sub}]"), value),
        ));
    }
    for scope in &options.provider_scopes {
        params.push(("provider_scopes", pair("provider_scopes", scope)));
    }
    // A stable sort: repeated keys keep their order.
    params.sort_by(|a, b| a.0.cmp(b.0));
    let query: Vec<String> = params.into_iter().map(|(_, pair)| pair).collect();
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
                provider_scopes: vec!["read:org".into(), "repo".into()],
                provider_query_params: vec![("z".into(), "1".into()), ("a".into(), "x y".into())],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            url,
            "https://api.workos.com/user_management/authorize?client_id=client_1&provider=authkit\
             &provider_query_params%5Ba%5D=x+y&provider_query_params%5Bz%5D=1\
             &provider_scopes=read%3Aorg&provider_scopes=repo\
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
