//! Keeping `returnTo` on our own origin.

/// Longest `returnTo` kept (longer ones fall back to `/`).
const MAX_RETURN_TO_BYTES: usize = 2048;

/// Reduces a `returnTo` value to a path (with query and fragment) on our own origin, or `None`.
///
/// Accepts only values starting with a single `/`; refuses `//host`, `/\host`, backslashes and
/// control characters anywhere (browsers treat `\` as `/`), percent-encoded slashes or
/// backslashes right after the first `/` (servers that decode twice would see `//host`), and
/// paths with an empty or dot segment (`/.//evil.example` resolves to `//evil.example`, which an
/// origin that redirects with the path alone would send off-site).
pub fn safe_return_path(return_to: &str) -> Option<String> {
    let after_slash = return_to.strip_prefix('/')?;
    if return_to.len() > MAX_RETURN_TO_BYTES {
        return None;
    }
    if return_to.contains('\\') || return_to.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    let path = return_to.split(['?', '#']).next().unwrap_or_default();
    let dot_or_empty = |segment: &str| {
        let lower = segment.to_ascii_lowercase();
        matches!(
            lower.as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    };
    if path.contains("//") || path.split('/').skip(1).any(dot_or_empty) {
        return None;
    }
    let head = after_slash.get(..3).unwrap_or(after_slash);
    if head.starts_with('/') || head.eq_ignore_ascii_case("%2f") || head.eq_ignore_ascii_case("%5c")
    {
        return None;
    }
    Some(return_to.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_the_origin() {
        for ok in [
            "/",
            "/dashboard?tab=1",
            "/a/b#c",
            "/é",
            "/a?next=//x#//y",
            "/%2",
            "/ab",
        ] {
            assert_eq!(safe_return_path(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil",
            "/%2fevil.example",
            "/%2F%2Fevil",
            "/%5cevil",
            "javascript:alert(1)",
            "evil",
            "",
            "/\t/evil",
            "/ /evil",
            "/\u{85}/evil",
            "/.//evil.example",
            "/%2e//evil",
            "/%2E%2E//evil",
            "/a/..//evil",
            "/a//b",
            "/%2e%2e/x",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad}");
        }
        assert_eq!(safe_return_path(&format!("/{}", "a".repeat(3000))), None);
    }
}
