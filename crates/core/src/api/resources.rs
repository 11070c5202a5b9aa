//! Sessions, organization memberships and organizations: the list, revoke and lookup calls
//! the account routes make, and their reply types.

use serde::Serialize;
use serde_json::Value;

use super::{ApiRequest, Impersonator};
use crate::json::{Members, ShapeError};

/// A session as `GET /user_management/users/{id}/sessions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    /// Always `session`.
    pub object: String,
    /// `session_...` (the access token's `sid`).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Where it was created.
    pub ip_address: Option<String>,
    /// Browser that created it.
    pub user_agent: Option<String>,
    /// Organization, if scoped.
    pub organization_id: Option<String>,
    /// Impersonating admin, if any.
    pub impersonator: Option<Impersonator>,
    /// `password`, `oauth`, `sso`, `magic_code`...
    pub auth_method: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub status: Option<String>,
    /// ISO 8601.
    pub expires_at: Option<String>,
    /// ISO 8601, when ended.
    pub ended_at: Option<String>,
    /// ISO 8601.
    pub created_at: Option<String>,
    /// ISO 8601.
    pub updated_at: Option<String>,
}

/// Cursor metadata of a list page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListMetadata {
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Cursor for the next page; `None` on the last page.
    pub after: Option<String>,
}

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListResponse<T> {
    /// The items.
    pub data: Vec<T>,
    /// Cursors.
    pub list_metadata: ListMetadata,
}

impl Session {
    /// Reads a session as the API lists it.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "session")?;
        Ok(Self {
            object: members.string_or("object", "")?,
            id: members.string("id")?,
            user_id: members.string("user_id")?,
            ip_address: members.optional_string("ip_address")?,
            user_agent: members.optional_string("user_agent")?,
            organization_id: members.optional_string("organization_id")?,
            impersonator: members.optional("impersonator", Impersonator::from_value)?,
            auth_method: members.optional_string("auth_method")?,
            status: members.optional_string("status")?,
            expires_at: members.optional_string("expires_at")?,
            ended_at: members.optional_string("ended_at")?,
            created_at: members.optional_string("created_at")?,
            updated_at: members.optional_string("updated_at")?,
        })
    }
}

impl ListMetadata {
    /// Reads `{before, after}`.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "list_metadata")?;
        Ok(Self {
            before: members.optional_string("before")?,
            after: members.optional_string("after")?,
        })
    }
}

impl<T> ListResponse<T> {
    /// Reads a page whose items `read_item` reads; absent or `null` metadata is no cursor.
    pub fn from_value(
        value: Value,
        read_item: impl Fn(Value) -> Result<T, ShapeError>,
    ) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "list")?;
        Ok(Self {
            data: members.required("data", |data| match data {
                Value::Array(items) => items.into_iter().map(&read_item).collect(),
                _ => Err(ShapeError("data")),
            })?,
            list_metadata: members
                .optional("list_metadata", ListMetadata::from_value)?
                .unwrap_or_default(),
        })
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for ListResponse<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Self::from_value(value, |item| {
            T::deserialize(item).map_err(|_| ShapeError("data"))
        })
        .map_err(<D::Error as serde::de::Error>::custom)
    }
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleRef {
    /// Role slug (`admin`, `member`...).
    pub slug: String,
}

/// A user's membership of an organization (`GET /user_management/organization_memberships`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationMembership {
    /// `om_...`
    pub id: String,
    /// The member.
    pub user_id: String,
    /// The organization.
    pub organization_id: String,
    /// The organization's name (the real API includes it; the emulator does not).
    pub organization_name: Option<String>,
    /// The member's role.
    pub role: Option<RoleRef>,
    /// `active`, `inactive` or `pending`.
    pub status: Option<String>,
}

/// An organization (`GET /organizations/{id}`), the fields the edge uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// `org_...`
    pub id: String,
    /// Display name.
    pub name: String,
}

impl RoleRef {
    /// Reads `{slug}`.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        Ok(Self {
            slug: Members::of(value, "role")?.string("slug")?,
        })
    }
}

impl OrganizationMembership {
    /// Reads a membership as the API lists it.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "organization_membership")?;
        Ok(Self {
            id: members.string("id")?,
            user_id: members.string("user_id")?,
            organization_id: members.string("organization_id")?,
            organization_name: members.optional_string("organization_name")?,
            role: members.optional("role", RoleRef::from_value)?,
            status: members.optional_string("status")?,
        })
    }
}

impl Organization {
    /// Reads `{id, name}` (other members are ignored).
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "organization")?;
        Ok(Self {
            id: members.string("id")?,
            name: members.string("name")?,
        })
    }
}

crate::json::deserialize_by_hand!(
    Session,
    ListMetadata,
    RoleRef,
    OrganizationMembership,
    Organization
);

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
