//! `POST /api_keys/validations`: checking an organization API key that a client presents, in the
//! shape `@workos-inc/node` 11's `apiKeys.createValidation` reads.

use serde_json::{json, Value};

use super::{ApiReply, ApiRequest};
use crate::json::{Members, ShapeError};

/// Path of the validation endpoint.
pub const API_KEY_VALIDATIONS_PATH: &str = "/api_keys/validations";

/// The request validating `value` (the presented key), authorised by our own `api_key`.
pub fn validate_api_key_request(base_url: &str, api_key: &str, value: &str) -> ApiRequest {
    let mut request = ApiRequest::new("POST", base_url, API_KEY_VALIDATIONS_PATH, Some(api_key));
    request.body = Some(json!({ "value": value }));
    request
}

/// Who an API key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyOwner {
    /// `organization` (or `user` for user-owned keys).
    pub owner_type: String,
    /// The owner's id.
    pub id: String,
    /// The organization, when the owner is not the organization itself.
    pub organization_id: Option<String>,
}

/// A valid API key as WorkOS describes it (the key's value is never part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// `api_key_…`.
    pub id: String,
    /// The owner.
    pub owner: ApiKeyOwner,
    /// The name given when it was created.
    pub name: Option<String>,
    /// Permission slugs granted to the key.
    pub permissions: Vec<String>,
}

impl ApiKeyOwner {
    /// Reads `{type, id, organization_id}`.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "owner")?;
        Ok(Self {
            owner_type: members.string("type")?,
            id: members.string("id")?,
            organization_id: members.optional_string("organization_id")?,
        })
    }
}

impl ApiKey {
    /// Reads a key as the validation endpoint describes it.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "api_key")?;
        Ok(Self {
            id: members.string("id")?,
            owner: members.required("owner", ApiKeyOwner::from_value)?,
            name: members.optional_string("name")?,
            permissions: members.strings_or_empty("permissions")?,
        })
    }

    /// The organization the key acts for: the owner when it is an organization, else the
    /// owner's `organization_id`.
    pub fn organization_id(&self) -> Option<&str> {
        if self.owner.owner_type == "organization" {
            Some(&self.owner.id)
        } else {
            self.owner.organization_id.as_deref()
        }
    }
}

crate::json::deserialize_by_hand!(ApiKeyOwner, ApiKey);

/// What a validation reply means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyValidation {
    /// The key is valid.
    Valid(Box<ApiKey>),
    /// WorkOS does not know the key (`{"api_key": null}`, or the value was refused as
    /// malformed): the client's credential is bad.
    Unknown,
    /// WorkOS could not answer (timeout, network, 429, 5xx): try again later, never a 401.
    Unavailable {
        /// WorkOS's `Retry-After`, in seconds, when it sent one.
        retry_after: Option<u64>,
        /// For the log line.
        reason: String,
    },
    /// WorkOS refused our own API key, or answered something unreadable.
    Failed(String),
}

/// Classifies the reply to [`validate_api_key_request`].
pub fn classify_api_key_reply(reply: &ApiReply) -> ApiKeyValidation {
    match reply {
        ApiReply::Response {
            status: 200..=299,
            body,
            ..
        } => match crate::json::parse_object(body).ok_or(()) {
            // `{"api_key": null}`: not a key WorkOS knows. A reply without the member at all
            // is not read as a verdict on the client's key.
            Ok(reply) => match reply.get("api_key") {
                Some(Value::Null) => ApiKeyValidation::Unknown,
                Some(value) => match ApiKey::from_value(value.clone()) {
                    Ok(key) => ApiKeyValidation::Valid(Box::new(key)),
                    Err(_) => {
                        ApiKeyValidation::Failed("the API key validation is malformed".into())
                    }
                },
                None => ApiKeyValidation::Failed("the API key validation has no api_key".into()),
            },
            Err(_) => ApiKeyValidation::Failed("the API key validation is not JSON".into()),
        },
        // The value itself was refused (malformed, or not found).
        ApiReply::Response {
            status: 400 | 404 | 422,
            ..
        } => ApiKeyValidation::Unknown,
        ApiReply::Response {
            status: status @ (429 | 500..=599),
            retry_after,
            ..
        } => ApiKeyValidation::Unavailable {
            retry_after: retry_after.as_deref().and_then(|s| s.trim().parse().ok()),
            reason: format!("API key validation answered HTTP {status}"),
        },
        ApiReply::Response { status, .. } => {
            ApiKeyValidation::Failed(format!("API key validation answered HTTP {status}"))
        }
        ApiReply::Timeout => ApiKeyValidation::Unavailable {
            retry_after: None,
            reason: "API key validation timed out".into(),
        },
        ApiReply::NetworkError(_) => ApiKeyValidation::Unavailable {
            retry_after: None,
            reason: "API key validation failed to connect".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> ApiReply {
        ApiReply::Response {
            status,
            retry_after: None,
            request_id: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn request_shape() {
        let request = validate_api_key_request("https://api.workos.com/", "sk_test_1", "key_abc");
        assert_eq!(request.url, "https://api.workos.com/api_keys/validations");
        assert_eq!(request.method, "POST");
        assert_eq!(request.body, Some(json!({"value": "key_abc"})));
        assert!(request
            .headers
            .contains(&("Authorization".into(), "Bearer sk_test_1".into())));
        assert!(!format!("{request:?}").contains("key_abc"));
    }

    #[test]
    fn valid_keys() {
        let body = r#"{"api_key":{"object":"api_key","id":"api_key_1","owner":{"type":"organization","id":"org_1"},
            "name":"CI","obfuscated_value":"sk_…abc","permissions":["reports:read"],"last_used_at":null,
            "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}"#;
        let ApiKeyValidation::Valid(key) = classify_api_key_reply(&reply(200, body)) else {
            panic!("valid")
        };
        assert_eq!(key.id, "api_key_1");
        assert_eq!(key.organization_id(), Some("org_1"));
        assert_eq!(key.permissions, vec!["reports:read".to_owned()]);

        let user_owned = r#"{"api_key":{"id":"api_key_2","owner":{"type":"user","id":"user_1","organization_id":"org_2"}}}"#;
        let ApiKeyValidation::Valid(key) = classify_api_key_reply(&reply(200, user_owned)) else {
            panic!("valid")
        };
        assert_eq!(key.organization_id(), Some("org_2"));
        assert!(key.permissions.is_empty());
    }

    #[test]
    fn unknown_unavailable_and_failed() {
        assert_eq!(
            classify_api_key_reply(&reply(200, r#"{"api_key":null}"#)),
            ApiKeyValidation::Unknown
        );
        assert_eq!(
            classify_api_key_reply(&reply(422, "{}")),
            ApiKeyValidation::Unknown
        );
        assert!(matches!(
            classify_api_key_reply(&ApiReply::Response {
                status: 503,
                retry_after: Some("7".into()),
                request_id: None,
                body: vec![],
            }),
            ApiKeyValidation::Unavailable {
                retry_after: Some(7),
                ..
            }
        ));
        assert!(matches!(
            classify_api_key_reply(&ApiReply::Timeout),
            ApiKeyValidation::Unavailable { .. }
        ));
        assert!(matches!(
            classify_api_key_reply(&reply(401, "{}")),
            ApiKeyValidation::Failed(_)
        ));
        assert!(matches!(
            classify_api_key_reply(&reply(200, "{}")),
            ApiKeyValidation::Failed(_)
        ));
        assert!(matches!(
            classify_api_key_reply(&reply(200, "<html>")),
            ApiKeyValidation::Failed(_)
        ));
        assert!(matches!(
            classify_api_key_reply(&reply(200, r#"{"api_key":{"id":1}}"#)),
            ApiKeyValidation::Failed(_)
        ));
    }
}
