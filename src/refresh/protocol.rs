//! What the Worker and the refresh coordinator (Durable Object) say to each other, as JSON.

use serde::{Deserialize, Serialize};
use workos_edge_core::refresh::{ApiError, RefreshFailure, RefreshFailureReason};

/// Worker → coordinator.
#[derive(Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
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
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
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
            let json = serde_json::to_string(&reply).unwrap();
            let back: CoordinatorReply = serde_json::from_str(&json).unwrap();
            assert_eq!(back.into_result(), Err(failure));
        }
        let ok = CoordinatorReply::from(&Ok("Fe26.2*x".to_owned()));
        assert_eq!(ok.into_result(), Ok("Fe26.2*x".to_owned()));
    }
}
