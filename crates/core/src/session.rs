//! `SessionCookieData`: what lives inside the `wos-session` cookie.
//!
//! The cookie is kept as the ordered JSON object it was read as, with typed accessors on top.
//! That way a cookie written by another tool (authkit-nextjs, an older SDK, a custom field)
//! loses nothing when we rewrite it, and a cookie we build has the SDK's exact key order:
//! `organizationId, user, accessToken, refreshToken, authenticationMethod, impersonator`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::{AuthenticationResponse, Impersonator};
use crate::jwt::decode_claims_unverified;

/// The session object sealed in the cookie. `Debug` lists its fields but shows only the user
/// and organization ids (the rest holds tokens and personal data).
#[derive(Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct SessionCookieData {
    fields: Map<String, Value>,
}

impl std::fmt::Debug for SessionCookieData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<&String> = self.fields.keys().collect();
        f.debug_struct("SessionCookieData")
            .field("user_id", &self.user_id())
            .field("organization_id", &self.get("organizationId"))
            .field("fields", &fields)
            .finish_non_exhaustive()
    }
}

impl SessionCookieData {
    /// Wraps an unsealed object; `None` unless it is a JSON object.
    pub fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::Object(fields) => Some(Self { fields }),
            _ => None,
        }
    }

    /// Builds the cookie content from an authentication reply exactly as the SDK's
    /// `sealSessionDataFromAuthenticationResponse` does: `organizationId` from the access token's
    /// `org_id` claim (decoded, not verified), the user converted to the SDK's camelCase `User`.
    pub fn from_authentication_response(response: &AuthenticationResponse) -> Self {
        let mut fields = Map::new();
        if let Some(org) = decode_claims_unverified(&response.access_token)
            .ok()
            .and_then(|claims| claims.org_id)
        {
            fields.insert("organizationId".into(), Value::String(org));
        }
        let raw_user = response.raw.get("user").and_then(Value::as_object);
        fields.insert("user".into(), raw_user.map(sdk_user).unwrap_or(Value::Null));
        fields.insert("accessToken".into(), response.access_token.clone().into());
        fields.insert("refreshToken".into(), response.refresh_token.clone().into());
        if let Some(method) = &response.authentication_method {
            fields.insert("authenticationMethod".into(), method.clone().into());
        }
        if let Some(impersonator) = response.raw.get("impersonator").filter(|v| !v.is_null()) {
            fields.insert("impersonator".into(), impersonator.clone());
        }
        Self { fields }
    }

    /// The access token (RS256 JWT), if the cookie has a non-empty one.
    pub fn access_token(&self) -> Option<&str> {
        self.str_field("accessToken").filter(|t| !t.is_empty())
    }

    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&str> {
        self.str_field("refreshToken").filter(|t| !t.is_empty())
    }

    /// The organization id stored in the cookie.
    pub fn organization_id(&self) -> Option<&str> {
        self.str_field("organizationId")
    }

    /// How the user signed in.
    pub fn authentication_method(&self) -> Option<&str> {
        self.str_field("authenticationMethod")
    }

    /// The user object as stored (camelCase), if present.
    pub fn user(&self) -> Option<&Value> {
        self.fields.get("user").filter(|u| !u.is_null())
    }

    /// The user's id, if the stored user has one.
    pub fn user_id(&self) -> Option<&str> {
        self.user()?.get("id")?.as_str()
    }

    /// The impersonating admin, if any.
    pub fn impersonator(&self) -> Option<Impersonator> {
        Impersonator::from_value(self.fields.get("impersonator")?.clone()).ok()
    }

    /// A field by its cookie name, typed or not (for fields this type does not name).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// The whole object, in its order.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// Consumes into the JSON value that gets sealed.
    pub fn into_json(self) -> Value {
        Value::Object(self.fields)
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.fields.get(key)?.as_str()
    }
}

/// The SDK's `deserializeUser`: camelCase keys in its order, `name` and `externalId` null and
/// `metadata` `{}` when absent, fields it does not know dropped.
pub fn sdk_user(api_user: &Map<String, Value>) -> Value {
    const FIELDS: &[(&str, &str)] = &[
        ("object", "object"),
        ("id", "id"),
        ("email", "email"),
        ("emailVerified", "email_verified"),
        ("name", "name"),
        ("firstName", "first_name"),
        ("profilePictureUrl", "profile_picture_url"),
        ("lastName", "last_name"),
        ("lastSignInAt", "last_sign_in_at"),
        ("locale", "locale"),
        ("createdAt", "created_at"),
        ("updatedAt", "updated_at"),
        ("externalId", "external_id"),
        ("metadata", "metadata"),
    ];
    let mut user = Map::new();
    for (camel, snake) in FIELDS {
        let value = match (api_user.get(*snake), *camel) {
            (Some(v), _) => v.clone(),
            (None, "name" | "externalId") => Value::Null,
            (None, "metadata") => Value::Object(Map::new()),
            (None, _) => continue,
        };
        user.insert((*camel).to_owned(), value);
    }
    Value::Object(user)
}

/// The SDK's `deserializeAuthenticationResponse`: camelCase top-level fields, then any fields
/// it does not know, verbatim. This is the `session` member of a refresh result.
pub fn sdk_authentication_response(response: &AuthenticationResponse) -> Map<String, Value> {
    const KNOWN: &[(&str, &str)] = &[
        ("organizationId", "organization_id"),
        ("accessToken", "access_token"),
        ("refreshToken", "refresh_token"),
        ("impersonator", "impersonator"),
        ("authenticationMethod", "authentication_method"),
    ];
    let mut out = Map::new();
    out.insert(
        "user".into(),
        response
            .raw
            .get("user")
            .and_then(Value::as_object)
            .map(sdk_user)
            .unwrap_or(Value::Null),
    );
    for (camel, snake) in KNOWN {
        if let Some(v) = response.raw.get(*snake) {
            out.insert((*camel).to_owned(), v.clone());
        }
    }
    if let Some(tokens) = response.raw.get("oauth_tokens").and_then(Value::as_object) {
        let mut camel = Map::new();
        for (snake, key) in [
            ("access_token", "accessToken"),
            ("refresh_token", "refreshToken"),
            ("expires_at", "expiresAt"),
            ("scopes", "scopes"),
        ] {
            if let Some(v) = tokens.get(snake) {
                camel.insert(key.to_owned(), v.clone());
            }
        }
        out.insert("oauthTokens".into(), Value::Object(camel));
    }
    let consumed = ["user", "oauth_tokens"];
    for (key, value) in &response.raw {
        if !consumed.contains(&key.as_str()) && !KNOWN.iter().any(|(_, snake)| snake == key) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}
