//! Sessions, organization memberships and organizations: the list, revoke and lookup calls
//! the account routes make, and their reply types.

use serde::{Deserialize, Serialize};

use super::{ApiRequest, Impersonator};

/// A session as `GET /user_management/users/{id}/sessions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Always `session`.
    #[serde(default)]
    pub object: String,
    /// `session_...` (the access token's `sid`).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Where it was created.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Browser that created it.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Organization, if scoped.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Impersonating admin, if any.
    #[serde(default)]
    pub impersonator: Option<Impersonator>,
    /// `password`, `oauth`, `sso`, `magic_code`...
    #[serde(default)]
    pub auth_method: Option<String>,
    /// `active`, `expired` or `revoked`.
    #[serde(default)]
    pub status: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// ISO 8601, when ended.
    #[serde(default)]
    pub ended_at: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub created_at: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Cursor metadata of a list page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMetadata {
    /// Cursor for the previous page.
    #[serde(default)]
    pub before: Option<String>,
    /// Cursor for the next page; `None` on the last page.
    #[serde(default)]
    pub after: Option<String>,
}

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResponse<T> {
    /// The items.
    pub data: Vec<T>,
    /// Cursors.
    #[serde(default)]
    pub list_metadata: ListMetadata,
}

/// Sort order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    Asc,
    /// Newest first (the SDK's default).
    #[default]
    Desc,
}

/// Options of a list call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Page size (the SDK's auto-pagination uses 100).
    pub limit: Option<u32>,
    /// Cursor: items before this id.
    pub before: Option<String>,
    /// Cursor: items after this id.
    pub after: Option<String>,
    /// Sort order.
    pub order: Order,
}

/// `GET /user_management/users/{user_id}/sessions`.
pub fn list_sessions_request(
    base_url: &str,
    api_key: &str,
    user_id: &str,
    options: &ListOptions,
) -> ApiRequest {
    let path = format!(
        "/user_management/users/{}/sessions",
        crate::encoding::rfc1738_encode(user_id)
    );
    let mut request = ApiRequest::new("GET", base_url, &path, Some(api_key));
    let mut query = Vec::new();
    if let Some(limit) = options.limit {
        query.push(format!("limit={limit}"));
    }
    if let Some(before) = &options.before {
        query.push(format!(
            "before={}",
            crate::encoding::form_urlencode(before)
        ));
    }
    if let Some(after) = &options.after {
        query.push(format!("after={}", crate::encoding::form_urlencode(after)));
    }
    query.push(format!(
        "order={}",
        if options.order == Order::Asc {
            "asc"
        } else {
            "desc"
        }
    ));
    request.url = format!("{}?{}", request.url, query.join("&"));
    request
}

/// `POST /user_management/sessions/revoke` with `{"session_id": ...}`.
pub fn revoke_session_request(base_url: &str, api_key: &str, session_id: &str) -> ApiRequest {
    let mut request = ApiRequest::new(
        "POST",
        base_url,
        "/user_management/sessions/revoke",
        Some(api_key),
    );
    request.body = Some(serde_json::json!({ "session_id": session_id }));
    request
}

/// A role reference inside a membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    /// Role slug (`admin`, `member`...).
    pub slug: String,
}

/// A user's membership of an organization (`GET /user_management/organization_memberships`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationMembership {
    /// `om_...`
    pub id: String,
    /// The member.
    pub user_id: String,
    /// The organization.
    pub organization_id: String,
    /// The organization's name (the real API includes it; the emulator does not).
    #[serde(default)]
    pub organization_name: Option<String>,
    /// The member's role.
    #[serde(default)]
    pub role: Option<RoleRef>,
    /// `active`, `inactive` or `pending`.
    #[serde(default)]
    pub status: Option<String>,
}

/// An organization (`GET /organizations/{id}`), the fields the edge uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `org_...`
    pub id: String,
    /// Display name.
    pub name: String,
}

/// `GET /user_management/organization_memberships?user_id=...&limit=100`.
pub fn list_memberships_request(base_url: &str, api_key: &str, user_id: &str) -> ApiRequest {
    let mut request = ApiRequest::new(
        "GET",
        base_url,
        "/user_management/organization_memberships",
        Some(api_key),
    );
    request.url = format!(
        "{}?user_id={}&limit=100",
        request.url,
        crate::encoding::form_urlencode(user_id)
    );
    request
}

/// `GET /organizations/{id}`.
pub fn get_organization_request(
    base_url: &str,
    api_key: &str,
    organization_id: &str,
) -> ApiRequest {
    let path = format!(
        "/organizations/{}",
        crate::encoding::rfc1738_encode(organization_id)
    );
    ApiRequest::new("GET", base_url, &path, Some(api_key))
}
