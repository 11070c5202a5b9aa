//! Reading and writing the API's user, error and authentication bodies by hand, over the
//! `serde_json::Map` the body parses into.
//!
//! Why not `#[derive(Deserialize)]` with `#[serde(flatten)]` for the fields a type does not
//! name: flattening buffers every field through serde's `Content` tree and instantiates that
//! machinery once per deserializer, which made these three types a large share of the edge
//! Worker's wasm (BENCHMARKS.md, "Size"). One pass over the map does the same work. The
//! `Deserialize`/`Serialize` impls below keep the types usable with `serde_json` as before.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{
    ApiErrorBody, AuthenticateGrant, AuthenticationResponse, Impersonator, OauthTokens,
    UserResponse,
};
use crate::json::{Members, ShapeError};

/// Why a body is not the shape the API documents (the field at fault, in words).
type Shape = &'static str;

fn string(value: Value, problem: Shape) -> Result<String, Shape> {
    match value {
        Value::String(text) => Ok(text),
        _ => Err(problem),
    }
}

/// `null` reads as absent, as serde reads an `Option`.
fn optional_string(value: Value, problem: Shape) -> Result<Option<String>, Shape> {
    match value {
        Value::Null => Ok(None),
        other => string(other, problem).map(Some),
    }
}

fn optional_string_into(
    field: &mut Option<String>,
    value: Value,
    problem: Shape,
) -> Result<(), Shape> {
    *field = optional_string(value, problem)?;
    Ok(())
}

fn put_optional(map: &mut Map<String, Value>, name: &str, value: &Option<String>) {
    map.insert(
        name.to_owned(),
        value.clone().map_or(Value::Null, Value::String),
    );
}

impl UserResponse {
    /// Reads a user object; fields this type does not name go to [`UserResponse::other`].
    pub fn from_map(map: Map<String, Value>) -> Result<Self, Shape> {
        let mut user = UserResponse {
            object: "user".to_owned(),
            id: String::new(),
            email: String::new(),
            email_verified: false,
            name: None,
            first_name: None,
            last_name: None,
            profile_picture_url: None,
            other: Map::new(),
        };
        let (mut has_id, mut has_email) = (false, false);
        for (key, value) in map {
            match key.as_str() {
                "object" => user.object = string(value, "user.object is not a string")?,
                "id" => {
                    user.id = string(value, "user.id is not a string")?;
                    has_id = true;
                }
                "email" => {
                    user.email = string(value, "user.email is not a string")?;
                    has_email = true;
                }
                "email_verified" => {
                    user.email_verified = value
                        .as_bool()
                        .ok_or("user.email_verified is not a boolean")?;
                }
                "name" => optional_string_into(&mut user.name, value, "user.name is not a string")?,
                "first_name" => optional_string_into(
                    &mut user.first_name,
                    value,
                    "user.first_name is not a string",
                )?,
                "last_name" => optional_string_into(
                    &mut user.last_name,
                    value,
                    "user.last_name is not a string",
                )?,
                "profile_picture_url" => optional_string_into(
                    &mut user.profile_picture_url,
                    value,
                    "user.profile_picture_url is not a string",
                )?,
                _ => {
                    user.other.insert(key, value);
                }
            }
        }
        match (has_id, has_email) {
            (false, _) => Err("user.id is missing"),
            (_, false) => Err("user.email is missing"),
            _ => Ok(user),
        }
    }

    /// The user as the API sends it: named fields first (absent options as `null`), then the
    /// fields kept in [`UserResponse::other`].
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("object".into(), self.object.clone().into());
        map.insert("id".into(), self.id.clone().into());
        map.insert("email".into(), self.email.clone().into());
        map.insert("email_verified".into(), self.email_verified.into());
        put_optional(&mut map, "name", &self.name);
        put_optional(&mut map, "first_name", &self.first_name);
        put_optional(&mut map, "last_name", &self.last_name);
        put_optional(&mut map, "profile_picture_url", &self.profile_picture_url);
        for (key, value) in &self.other {
            map.insert(key.clone(), value.clone());
        }
        map
    }
}

impl ApiErrorBody {
    /// Reads an error body; fields this type does not name go to [`ApiErrorBody::other`].
    pub fn from_map(map: Map<String, Value>) -> Result<Self, Shape> {
        let mut body = ApiErrorBody::default();
        for (key, value) in map {
            let field = match key.as_str() {
                "error" => &mut body.error,
                "error_description" => &mut body.error_description,
                "code" => &mut body.code,
                "message" => &mut body.message,
                "pending_authentication_token" => &mut body.pending_authentication_token,
                _ => {
                    body.other.insert(key, value);
                    continue;
                }
            };
            optional_string_into(field, value, "an error field is not a string")?;
        }
        Ok(body)
    }

    /// Parses an error reply's body; `None` when it is not a JSON object of this shape.
    pub fn from_json(body: &[u8]) -> Option<Self> {
        Self::from_map(crate::json::parse_object(body)?).ok()
    }

    /// The body with its named fields first (absent ones omitted), then
    /// [`ApiErrorBody::other`].
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        for (name, value) in [
            ("error", &self.error),
            ("error_description", &self.error_description),
            ("code", &self.code),
            ("message", &self.message),
            (
                "pending_authentication_token",
                &self.pending_authentication_token,
            ),
        ] {
            if let Some(value) = value {
                map.insert(name.to_owned(), value.clone().into());
            }
        }
        for (key, value) in &self.other {
            map.insert(key.clone(), value.clone());
        }
        map
    }
}

/// `Deserialize` through `from_map` and `Serialize` through `to_map`: the types that keep the
/// members they do not name.
macro_rules! serde_through_map {
    ($($name:ty),*) => {$(
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::from_map(Map::deserialize(deserializer)?).map_err(D::Error::custom)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.to_map().serialize(serializer)
            }
        }
    )*};
}

serde_through_map!(UserResponse, ApiErrorBody);

impl Impersonator {
    /// Reads `{email, reason}`.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "impersonator")?;
        Ok(Self {
            email: members.string("email")?,
            reason: members.optional_string("reason")?,
        })
    }
}

impl OauthTokens {
    /// Reads `{access_token, refresh_token, expires_at, scopes}`.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "oauth_tokens")?;
        Ok(Self {
            access_token: members.string("access_token")?,
            refresh_token: members.optional_string("refresh_token")?,
            expires_at: members.optional_i64("expires_at")?,
            scopes: members.strings_or_empty("scopes")?,
        })
    }
}

crate::json::deserialize_by_hand!(Impersonator, OauthTokens, AuthenticateGrant);

impl AuthenticationResponse {
    /// Reads a reply already parsed into a map, keeping the map as [`AuthenticationResponse::raw`].
    pub fn from_map(raw: Map<String, Value>) -> Result<Self, Shape> {
        let text = |name: &str, problem: Shape| match raw.get(name) {
            Some(Value::String(text)) => Ok(text.clone()),
            _ => Err(problem),
        };
        let optional = |name: &str, problem: Shape| match raw.get(name) {
            None => Ok(None),
            Some(value) => optional_string(value.clone(), problem),
        };
        let user = match raw.get("user") {
            Some(Value::Object(user)) => UserResponse::from_map(user.clone())?,
            _ => return Err("user is missing or not an object"),
        };
        let impersonator = match raw.get("impersonator") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                Impersonator::from_value(value.clone())
                    .map_err(|_| "impersonator is not an object")?,
            ),
        };
        let oauth_tokens = match raw.get("oauth_tokens") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                OauthTokens::from_value(value.clone())
                    .map_err(|_| "oauth_tokens is not an object")?,
            ),
        };
        Ok(Self {
            user,
            organization_id: optional("organization_id", "organization_id is not a string")?,
            access_token: text("access_token", "access_token is missing or not a string")?,
            refresh_token: text("refresh_token", "refresh_token is missing or not a string")?,
            impersonator,
            authentication_method: optional(
                "authentication_method",
                "authentication_method is not a string",
            )?,
            oauth_tokens,
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("tests pass objects"),
        }
    }

    #[test]
    fn a_user_keeps_unknown_fields_in_order_and_writes_back_the_same() {
        let sent = json!({
            "object": "user", "id": "user_1", "email": "a@b.c", "email_verified": true,
            "name": null, "first_name": "Ada", "last_name": null, "profile_picture_url": null,
            "created_at": "2026-01-01", "metadata": {"k": "v"}, "external_id": null,
        });
        let user = UserResponse::from_map(map(sent.clone())).unwrap();
        assert_eq!(user.first_name.as_deref(), Some("Ada"));
        assert_eq!(
            user.other.keys().collect::<Vec<_>>(),
            ["created_at", "metadata", "external_id"]
        );
        assert_eq!(Value::Object(user.to_map()), sent);
        let back: UserResponse = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), sent);
    }

    #[test]
    fn a_user_needs_an_id_and_an_email_of_the_right_types() {
        let defaults = UserResponse::from_map(map(json!({"id": "u", "email": "e"}))).unwrap();
        assert_eq!(
            (defaults.object.as_str(), defaults.email_verified),
            ("user", false)
        );
        for bad in [
            json!({"email": "e"}),
            json!({"id": "u"}),
            json!({"id": 1, "email": "e"}),
            json!({"id": "u", "email": "e", "email_verified": null}),
            json!({"id": "u", "email": "e", "name": 3}),
            json!({"id": "u", "email": "e", "object": null}),
        ] {
            assert!(UserResponse::from_map(map(bad.clone())).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_bodies_in_every_shape() {
        let body = ApiErrorBody::from_map(map(json!({
            "code": "invalid_request", "message": "m", "errors": [{"field": "x"}],
            "error": null,
        })))
        .unwrap();
        assert_eq!(body.code_or_error(), Some("invalid_request"));
        assert_eq!(body.error, None);
        assert_eq!(
            Value::Object(body.to_map()),
            json!({"code": "invalid_request", "message": "m", "errors": [{"field": "x"}]})
        );
        let oauth: ApiErrorBody =
            serde_json::from_str(r#"{"error":"invalid_grant","error_description":"d"}"#).unwrap();
        assert_eq!(oauth.code_or_error(), Some("invalid_grant"));
        assert!(serde_json::from_str::<ApiErrorBody>(r#"{"code":7}"#).is_err());
        assert!(serde_json::from_str::<ApiErrorBody>("[]").is_err());
    }

    #[test]
    fn an_authentication_reply_needs_its_tokens_and_user() {
        let reply = json!({
            "user": {"id": "u", "email": "e"}, "access_token": "a", "refresh_token": "r",
            "organization_id": null, "authentication_method": "Password",
            "impersonator": {"email": "admin@x", "reason": null},
            "oauth_tokens": null, "extra": 1,
        });
        let parsed = AuthenticationResponse::from_map(map(reply.clone())).unwrap();
        assert_eq!(parsed.impersonator.unwrap().email, "admin@x");
        assert_eq!(parsed.authentication_method.as_deref(), Some("Password"));
        assert_eq!(Value::Object(parsed.raw), reply);
        for bad in [
            json!({"user": {"id": "u", "email": "e"}, "refresh_token": "r"}),
            json!({"user": null, "access_token": "a", "refresh_token": "r"}),
            json!({"user": {"id": "u", "email": "e"}, "access_token": "a", "refresh_token": "r",
                   "impersonator": "x"}),
            json!({"user": {"id": "u", "email": "e"}, "access_token": "a", "refresh_token": "r",
                   "authentication_method": 5}),
        ] {
            assert!(
                AuthenticationResponse::from_map(map(bad.clone())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_grant_reads_back_what_it_writes() {
        let grants = [
            AuthenticateGrant::AuthorizationCode {
                client_id: "client".into(),
                client_secret: None,
                code: "c".into(),
                code_verifier: Some("v".into()),
                invitation_token: None,
                ip_address: Some("1.2.3.4".into()),
                user_agent: None,
            },
            AuthenticateGrant::RefreshToken {
                client_id: "client".into(),
                client_secret: Some("sk".into()),
                refresh_token: "r".into(),
                organization_id: Some("org".into()),
                ip_address: None,
                user_agent: Some("ua".into()),
            },
            AuthenticateGrant::Password {
                client_id: "client".into(),
                client_secret: "sk".into(),
                email: "e".into(),
                password: "p".into(),
                invitation_token: Some("i".into()),
                ip_address: None,
                user_agent: None,
            },
            AuthenticateGrant::MagicAuth {
                client_id: "client".into(),
                client_secret: "sk".into(),
                code: "123456".into(),
                email: "e".into(),
                invitation_token: None,
                ip_address: None,
                user_agent: None,
            },
        ];
        for grant in grants {
            let written = serde_json::to_value(&grant).unwrap();
            assert_eq!(AuthenticateGrant::from_value(written), Ok(grant));
        }
        for bad in [
            json!({"grant_type": "client_credentials", "client_id": "c"}),
            json!({"grant_type": "password", "client_id": "c", "client_secret": "s", "email": "e"}),
            json!({"client_id": "c", "code": "x"}),
        ] {
            assert!(AuthenticateGrant::from_value(bad.clone()).is_err(), "{bad}");
        }
    }

    /// The derived tagged enum ignored members the chosen grant has no field for, whatever
    /// their type; only the grant's own members are checked.
    #[test]
    fn a_grant_ignores_members_of_other_grants() {
        let refresh = AuthenticateGrant::from_value(json!({
            "grant_type": "refresh_token", "client_id": "c", "refresh_token": "r",
            "invitation_token": 1, "code": [], "code_verifier": {},
        }))
        .unwrap();
        assert!(matches!(refresh, AuthenticateGrant::RefreshToken { .. }));
        assert!(AuthenticateGrant::from_value(json!({
            "grant_type": "authorization_code", "client_id": "c", "code": "x",
            "invitation_token": 1,
        }))
        .is_err());
    }
}
