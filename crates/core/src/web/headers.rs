//! Which inbound headers the gateway owns.

/// Prefix of the identity headers the gateway sends to the origin.
pub const IDENTITY_PREFIX: &str = "x-workos-";

/// Whether an inbound header claims to be one of ours and must be dropped before the origin
/// sees it. CGI, WSGI and Rack read `_` and `-` as the same character in header names
/// (`X_WorkOS_User_Id` becomes `HTTP_X_WORKOS_USER_ID`, as `X-WorkOS-User-Id` does), so a
/// name counts as ours when, lowercased and with `_` read as `-`, it starts with `x-workos-`.
pub fn is_identity_header(name: &str) -> bool {
    let name = name.as_bytes();
    let prefix = IDENTITY_PREFIX.as_bytes();
    name.len() >= prefix.len()
        && name.iter().zip(prefix).all(|(&n, &p)| {
            let n = if n == b'_' { b'-' } else { n };
            n.eq_ignore_ascii_case(&p)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_ours() {
        for ours in [
            "x-workos-user-id",
            "X-WorkOS-User-Id",
            "X_WorkOS_User_Id",
            "x_workos_permissions",
            "X-WORKOS_ORGANIZATION-ID",
            "x-workos-",
        ] {
            assert!(is_identity_header(ours), "{ours}");
        }
        for theirs in [
            "x-workos",
            "x-work-os-user",
            "authorization",
            "xworkos-x",
            "é",
        ] {
            assert!(!is_identity_header(theirs), "{theirs}");
        }
    }
}
