//! What the Worker and the refresh coordinator (Durable Object) say to each other, as JSON.

//!
//! The JSON is written and read by hand over `serde_json::Value`: derived internally tagged
//! enums buffer through serde's `Content` machinery, which cost the Worker's wasm more than
//! these two messages are worth (see BENCHMARKS.md, "Size").

use serde_json::json;
use workos_edge_core::json::{parse_object, to_text, Members, ShapeError};
use workos_edge_core::refresh::{ApiError, RefreshFailure, RefreshFailureReason};

/// Worker → coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoordinatorRequest {
    /// Refresh this cookie (into this organization), or hand out the result of the refresh
    /// that is already under way or just done.
    Refresh {
        /// The cookie value being refreshed.
        sealed: String,
        /// Organization to switch to.
        organization_id: Option<String>,
    },
    /// The session signed out: stop replaying its refreshes (and tell the aliases).
    Forget,
    /// A refresh handled by the coordinator `name` gave its session this coordinator's id:
    /// a sign-out reaching this one must reach that one too.
    Alias {
        /// The other coordinator's name.
        name: String,
    },
}

/// Coordinator → Worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoordinatorReply {
    /// The new cookie value.
    Refreshed {
        /// Sealed with the deployment's passwords.
        sealed: String,
    },
    /// A classified failure (the core's reason string).
    Failed {
        /// `invalid_grant`, `server_error`...
        reason: String,
        /// From WorkOS's `Retry-After`.
        retry_after: Option<u64>,
    },
    /// A reply the SDK would throw on.
    Unexpected {
        /// Error class.
        name: String,
        /// Its message (never secrets: WorkOS error text).
        message: String,
        /// HTTP status.
        status: Option<u16>,
    },
    /// Done (for [`CoordinatorRequest::Forget`] and [`CoordinatorRequest::Alias`]).
    Forgotten,
}

impl CoordinatorRequest {
    /// `{"action": "refresh" | "forget" | "alias", ...}`.
    pub fn to_json(&self) -> String {
        let message = match self {
            Self::Refresh {
                sealed,
                organization_id,
            } => json!({"action": "refresh", "sealed": sealed, "organization_id": organization_id}),
            Self::Forget => json!({"action": "forget"}),
            Self::Alias { name } => json!({"action": "alias", "name": name}),
        };
        to_text(&message)
    }

    /// The request [`Self::to_json`] wrote, or `None` for anything else.
    pub fn from_json(text: &str) -> Option<Self> {
        let mut m = Members::from_map(parse_object(text.as_bytes())?);
        let read = |m: &mut Members| -> Result<Self, ShapeError> {
            Ok(match m.string("action")?.as_str() {
                "refresh" => Self::Refresh {
                    sealed: m.string("sealed")?,
                    organization_id: m.optional_string("organization_id")?,
                },
                "forget" => Self::Forget,
                "alias" => Self::Alias {
                    name: m.string("name")?,
                },
                _ => return Err(ShapeError("action")),
            })
        };
        read(&mut m).ok()
    }
}

impl CoordinatorReply {
    /// `{"outcome": "refreshed" | "failed" | "unexpected" | "forgotten", ...}`.
    pub fn to_json(&self) -> String {
        let message = match self {
            Self::Refreshed { sealed } => json!({"outcome": "refreshed", "sealed": sealed}),
            Self::Failed {
                reason,
                retry_after,
            } => json!({"outcome": "failed", "reason": reason, "retry_after": retry_after}),
            Self::Unexpected {
                name,
                message,
                status,
            } => {
                json!({"outcome": "unexpected", "name": name, "message": message, "status": status})
            }
            Self::Forgotten => json!({"outcome": "forgotten"}),
        };
        to_text(&message)
    }

    /// The reply [`Self::to_json`] wrote, or `None` for anything else.
    pub fn from_json(text: &str) -> Option<Self> {
        let mut m = Members::from_map(parse_object(text.as_bytes())?);
        let read = |m: &mut Members| -> Result<Self, ShapeError> {
            Ok(match m.string("outcome")?.as_str() {
                "refreshed" => Self::Refreshed {
                    sealed: m.string("sealed")?,
                },
                "failed" => Self::Failed {
                    reason: m.string("reason")?,
                    retry_after: m.optional_u64("retry_after")?,
                },
                "unexpected" => Self::Unexpected {
                    name: m.string("name")?,
                    message: m.string("message")?,
                    status: m
                        .optional_u64("status")?
                        .map(|status| u16::try_from(status).map_err(|_| ShapeError("status")))
                        .transpose()?,
                },
                "forgotten" => Self::Forgotten,
                _ => return Err(ShapeError("outcome")),
            })
        };
        read(&mut m).ok()
    }
}

impl From<&Result<String, RefreshFailure>> for CoordinatorReply {
    fn from(result: &Result<String, RefreshFailure>) -> Self {
        match result {
            Ok(sealed) => Self::Refreshed {
                sealed: sealed.clone(),
            },
            Err(RefreshFailure::Failed {
                reason,
                retry_after,
                ..
            }) => Self::Failed {
                reason: reason.as_str().to_owned(),
                retry_after: *retry_after,
            },
            Err(RefreshFailure::Unexpected(error)) => Self::Unexpected {
                name: error.name.clone(),
                message: error.message.clone(),
                status: error.status,
            },
        }
    }
}

impl CoordinatorReply {
    /// Back into the core's result type.
    pub fn into_result(self) -> Result<String, RefreshFailure> {
        match self {
            Self::Refreshed { sealed } => Ok(sealed),
            Self::Failed {
                reason,
                retry_after,
            } => match RefreshFailureReason::parse(&reason) {
                Some(reason) => Err(RefreshFailure::Failed {
                    reason,
                    retry_after,
                    error: None,
                }),
                None => Err(RefreshFailure::Unexpected(ApiError::other(
                    "the refresh coordinator answered an unknown reason",
                ))),
            },
            Self::Unexpected {
                name,
                message,
                status,
            } => Err(RefreshFailure::Unexpected(Box::new(ApiError {
                name,
                message,
                status,
                code: None,
                request_id: None,
            }))),
            Self::Forgotten => Err(RefreshFailure::Unexpected(ApiError::other(
                "the refresh coordinator answered a refresh with 'forgotten'",
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_survive_the_round_trip() {
        for failure in [
            RefreshFailure::Failed {
                reason: RefreshFailureReason::InvalidGrant,
                retry_after: None,
                error: None,
            },
            RefreshFailure::Failed {
                reason: RefreshFailureReason::RateLimitExceeded,
                retry_after: Some(7),
                error: None,
            },
        ] {
            let reply = CoordinatorReply::from(&Err(failure.clone()));
            let back = CoordinatorReply::from_json(&reply.to_json()).unwrap();
            assert_eq!(back.into_result(), Err(failure));
        }
        let ok = CoordinatorReply::from(&Ok("Fe26.2*x".to_owned()));
        assert_eq!(ok.into_result(), Ok("Fe26.2*x".to_owned()));
    }

    #[test]
    fn every_message_survives_the_round_trip() {
        let replies = [
            CoordinatorReply::Refreshed {
                sealed: "Fe26.2*\"q\"".into(),
            },
            CoordinatorReply::Failed {
                reason: "server_error".into(),
                retry_after: None,
            },
            CoordinatorReply::Unexpected {
                name: "GenericServerException".into(),
                message: "Bad gateway".into(),
                status: Some(502),
            },
            CoordinatorReply::Forgotten,
        ];
        for reply in replies {
            assert_eq!(CoordinatorReply::from_json(&reply.to_json()), Some(reply));
        }
        let requests = [
            CoordinatorRequest::Refresh {
                sealed: "Fe26.2*x".into(),
                organization_id: Some("org_1".into()),
            },
            CoordinatorRequest::Refresh {
                sealed: "Fe26.2*x".into(),
                organization_id: None,
            },
            CoordinatorRequest::Forget,
            CoordinatorRequest::Alias { name: "n".into() },
        ];
        for request in requests {
            assert_eq!(
                CoordinatorRequest::from_json(&request.to_json()),
                Some(request)
            );
        }
    }

    #[test]
    fn malformed_messages_are_refused() {
        for text in [
            "",
            "[]",
            r#"{"outcome":"refreshed"}"#,
            r#"{"outcome":"unexpected","name":"E","message":"m","status":70000}"#,
            r#"{"outcome":"failed","reason":"x","retry_after":-1}"#,
            r#"{"outcome":"other"}"#,
        ] {
            assert_eq!(CoordinatorReply::from_json(text), None, "{text}");
        }
        for text in [
            r#"{"action":"refresh","organization_id":1,"sealed":"s"}"#,
            r#"{}"#,
        ] {
            assert_eq!(CoordinatorRequest::from_json(text), None, "{text}");
        }
    }
}
