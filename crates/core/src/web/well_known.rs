//! Documents served under `/.well-known/`: the OAuth 2.0 protected-resource metadata of
//! RFC 9728, which MCP clients and other OAuth 2.1 clients read to learn where to sign in.

use serde_json::{json, Value};

/// Path of the metadata for the whole origin. RFC 9728 §3.1 also puts the metadata of a
/// resource with a path at this prefix followed by that path.
pub const PROTECTED_RESOURCE_PATH: &str = "/.well-known/oauth-protected-resource";

/// The resource a metadata request asks about: `origin` for the bare path, `origin` + suffix
/// for `/.well-known/oauth-protected-resource/<path>`. `None` for any other path.
pub fn protected_resource_for(origin: &str, path: &str) -> Option<String> {
    let suffix = path.strip_prefix(PROTECTED_RESOURCE_PATH)?;
    if suffix.is_empty() || suffix == "/" {
        return Some(origin.to_owned());
    }
    suffix
        .starts_with('/')
        .then(|| format!("{origin}{}", suffix.trim_end_matches('/')))
}

/// The metadata document (RFC 9728 §2) for `resource`, protected by access tokens from
/// `authorization_server` and presented in the `Authorization` header only.
pub fn protected_resource_metadata(resource: &str, authorization_server: &str) -> Value {
    json!({
        "resource": resource,
        "authorization_servers": [authorization_server],
        "bearer_methods_supported": ["header"],
    })
}

/// The URL of the metadata for `origin`, as challenges advertise it.
pub fn protected_resource_metadata_url(origin: &str) -> String {
    format!("{origin}{PROTECTED_RESOURCE_PATH}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_for_each_path() {
        let origin = "https://app.example.com";
        assert_eq!(
            protected_resource_for(origin, "/.well-known/oauth-protected-resource").as_deref(),
            Some(origin)
        );
        assert_eq!(
            protected_resource_for(origin, "/.well-known/oauth-protected-resource/mcp").as_deref(),
            Some("https://app.example.com/mcp")
        );
        assert_eq!(
            protected_resource_for(origin, "/.well-known/oauth-protected-resourcex"),
            None
        );
        assert_eq!(protected_resource_for(origin, "/api"), None);
    }

    #[test]
    fn document() {
        let doc = protected_resource_metadata("https://app.example.com", "https://x.authkit.app");
        assert_eq!(doc["resource"], "https://app.example.com");
        assert_eq!(doc["authorization_servers"][0], "https://x.authkit.app");
        assert_eq!(doc["bearer_methods_supported"][0], "header");
    }
}
