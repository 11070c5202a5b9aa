//! `Debug` output that can never carry a secret.
//!
//! Types that hold API keys, passwords, tokens, codes or cookie values implement `Debug` by
//! hand with these helpers instead of deriving it, so neither a log line nor a panic message
//! (`{:?}` of a request, a grant, a session) can leak one.

use std::fmt;

/// Prints `[redacted]` (or `None`) in place of a secret.
pub struct Redacted<'a, T: ?Sized>(pub &'a T);

impl<T: ?Sized> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Prints `Some([redacted])` or `None`: whether a secret is present, never what it is.
pub struct RedactedOption<'a, T>(pub &'a Option<T>);

impl<T> fmt::Debug for RedactedOption<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some([redacted])"),
            None => f.write_str("None"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{AuthenticateGrant, AuthenticationResponse};
    use crate::refresh::ClientConfig;
    use crate::SessionCookieData;

    const SECRETS: [&str; 4] = ["sk_SECRET", "RT_SECRET", "AT_SECRET", "PW_SECRET"];

    fn assert_clean(text: &str) {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn debug_output_never_carries_secrets() {
        let grant = AuthenticateGrant::RefreshToken {
            client_id: "client_1".into(),
            client_secret: Some("sk_SECRET".into()),
            refresh_token: "RT_SECRET".into(),
            organization_id: None,
            ip_address: None,
            user_agent: None,
        };
        let request = grant.to_request("https://api.workos.com", Some("sk_SECRET"));
        let shown = format!("{grant:?} {request:?}");
        assert_clean(&shown);
        assert!(shown.contains("client_1") && shown.contains("application/json"));

        let password = AuthenticateGrant::Password {
            client_id: "client_1".into(),
            client_secret: "sk_SECRET".into(),
            email: "a@example.com".into(),
            password: "PW_SECRET".into(),
            invitation_token: None,
            ip_address: None,
            user_agent: None,
        };
        assert_clean(&format!("{password:?}"));

        let client = ClientConfig {
            base_url: "https://api.workos.com".into(),
            client_id: "client_1".into(),
            api_key: Some("sk_SECRET".into()),
        };
        assert_clean(&format!("{client:?}"));

        let cookie = SessionCookieData::from_json(serde_json::json!({
            "accessToken": "AT_SECRET", "refreshToken": "RT_SECRET", "user": {"id": "user_1"}
        }))
        .unwrap();
        let shown = format!("{cookie:?}");
        assert_clean(&shown);
        assert!(shown.contains("user_1"));

        let reply = AuthenticationResponse::from_json(
            br#"{"user":{"object":"user","id":"user_1","email":"a@example.com","email_verified":true,"created_at":"x","updated_at":"x"},
                "access_token":"AT_SECRET","refresh_token":"RT_SECRET",
                "oauth_tokens":{"access_token":"AT_SECRET","refresh_token":"RT_SECRET","expires_at":1,"scopes":[]}}"#,
        )
        .unwrap();
        assert_clean(&format!("{reply:?}"));
    }
}
