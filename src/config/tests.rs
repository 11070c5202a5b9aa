//! The settings as a deployment writes them, and as they are refused.

use std::collections::HashMap;

use super::*;

const PASSWORD: &str = "a-cookie-password-of-at-least-32-chars";

fn config(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut vars: HashMap<String, String> = [
        ("WORKOS_CLIENT_ID", "client_1"),
        ("WORKOS_API_KEY", "sk_test_secret"),
        ("WORKOS_COOKIE_PASSWORD", PASSWORD),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_settings(|name| vars.get(name).cloned())
}

fn error(extra: &[(&str, &str)]) -> ConfigError {
    match config(extra) {
        Err(e) => e,
        Ok(_) => panic!("expected {extra:?} to be refused"),
    }
}

#[test]
fn defaults() {
    let cfg = config(&[]).unwrap();
    assert!(cfg.cookie.secure, "cookies are Secure unless opted out");
    assert_eq!(cfg.cookie_name, "wos-session");
    assert_eq!(cfg.api_base_url, "https://api.workos.com");
    assert_eq!(cfg.api_timeout_ms, 8_000);
    assert_eq!(cfg.refresh_buffer_seconds, 60);
    assert!(!cfg.api_keys, "API keys are off unless turned on");
    assert_eq!(cfg.api_key_cache_seconds, 60);
    assert!(cfg.authkit_domain.is_none() && cfg.audiences.is_empty());
    let on = config(&[
        ("API_KEYS", "on"),
        ("WORKOS_AUDIENCE", "client_1, api"),
        ("WORKOS_AUTHKIT_DOMAIN", "https://x.authkit.app/"),
    ])
    .unwrap();
    assert!(on.api_keys);
    assert_eq!(on.audiences, vec!["client_1".to_owned(), "api".to_owned()]);
    assert_eq!(on.authkit_domain.as_deref(), Some("https://x.authkit.app"));
    assert_eq!(
        error(&[("API_KEY_CACHE_SECONDS", "3601")]).setting,
        "API_KEY_CACHE_SECONDS"
    );
    assert!(
        !config(&[("WORKOS_COOKIE_SECURE", "false")])
            .unwrap()
            .cookie
            .secure
    );
}

#[test]
fn errors_name_the_setting_never_its_value() {
    for (setting, value) in [
        ("WORKOS_COOKIE_PASSWORD", "short-secret-value"),
        ("WORKOS_COOKIE_SAMESITE", "secret-value-xyz"),
        ("WORKOS_COOKIE_SECURE", "secret-value-xyz"),
        ("WORKOS_COOKIE_MAX_AGE", "secret-value-xyz"),
        ("ROUTE_RULES", "secret-value-xyz"),
        ("ORIGIN_URL", "secret-value-xyz"),
        ("WORKOS_COOKIE_NAME", "secret value xyz"),
        ("WORKOS_API_TIMEOUT_MS", "secret-value-xyz"),
        ("WORKOS_AUTHKIT_DOMAIN", "secret-value-xyz"),
        ("API_KEYS", "secret-value-xyz"),
        ("API_KEY_CACHE_SECONDS", "secret-value-xyz"),
        ("LOG_REQUESTS", "secret-value-xyz"),
    ] {
        let e = error(&[(setting, value)]);
        assert_eq!(e.setting, setting);
        let shown = e.to_string();
        assert!(!shown.contains(value), "{shown}");
    }
    for out_of_range in ["0", "30001"] {
        assert_eq!(
            error(&[("WORKOS_API_TIMEOUT_MS", out_of_range)]).setting,
            "WORKOS_API_TIMEOUT_MS"
        );
    }
    assert_eq!(error(&[("WORKOS_API_KEY", " ")]).setting, "WORKOS_API_KEY");
}

#[test]
fn request_logging() {
    assert_eq!(config(&[]).unwrap().log_requests, LogRequests::Events);
    let events = LogRequests::Events;
    assert!(!events.wants(200, "public") && !events.wants(304, "authenticated"));
    assert!(!events.wants(200, "access_token") && !events.wants(200, "api_key"));
    for (status, decision) in [(200, "refreshed"), (302, "login"), (401, "unauthenticated")] {
        assert!(events.wants(status, decision), "{status} {decision}");
    }
    assert!(events.wants(404, "public"), "errors are always events");
    let all = config(&[("LOG_REQUESTS", "ALL")]).unwrap().log_requests;
    assert!(all.wants(200, "public"));
    assert!(!LogRequests::Off.wants(500, "public"));
}

#[test]
fn host_prefix_needs_secure_cookies_without_a_domain() {
    assert!(config(&[("WORKOS_COOKIE_NAME", "__Host-wos-session")]).is_ok());
    let e = error(&[
        ("WORKOS_COOKIE_NAME", "__Host-wos-session"),
        ("WORKOS_COOKIE_DOMAIN", "example.com"),
    ]);
    assert_eq!(e.setting, "WORKOS_COOKIE_NAME");
    let e = error(&[
        ("WORKOS_COOKIE_NAME", "__Host-wos-session"),
        ("WORKOS_COOKIE_SECURE", "false"),
    ]);
    assert_eq!(e.setting, "WORKOS_COOKIE_NAME");
}

#[test]
fn rules_and_paths() {
    let cfg = config(&[
        ("PUBLIC_PATHS", "/,/assets/*"),
        ("ROUTE_RULES", "/reports/*=permission:reports:read"),
    ])
    .unwrap();
    assert!(cfg.is_public("/assets/a.css"));
    assert!(!cfg.is_public("/ASSETS/a.css"));
    let nested = config(&[
        ("PUBLIC_PATHS", "/docs/*"),
        ("ROUTE_RULES", "/docs/internal/*=role:staff"),
    ])
    .unwrap();
    assert!(nested.is_public("/docs/intro"));
    assert!(!nested.is_public("/docs/internal/plan"));
    assert!(!nested.is_public("/Docs/Internal/plan"));
    assert!(cfg.route_rules.first().unwrap().glob.matches("/REPORTS/x"));
}

#[test]
fn previous_cookie_passwords_are_one_value_or_a_json_array() {
    let old = "an-old-cookie-password-of-32-chars!!";
    let older = "an-older-cookie-password-of-32-chars!";
    assert!(!config(&[]).unwrap().passwords.is_rotating());
    let one = config(&[("WORKOS_COOKIE_PASSWORD_PREVIOUS", old)]).unwrap();
    assert_eq!(one.passwords.candidates("1").count(), 2);
    let array = format!("[\"{old}\", \"{older}\"]");
    let two = config(&[("WORKOS_COOKIE_PASSWORD_PREVIOUS", &array)]).unwrap();
    assert_eq!(two.passwords.candidates("1").count(), 3);
    assert_eq!(two.passwords.sealing_password().id(), "1");
    let short = error(&[("WORKOS_COOKIE_PASSWORD_PREVIOUS", "short")]);
    assert_eq!(short.setting, "WORKOS_COOKIE_PASSWORD_PREVIOUS");
    assert!(
        !short.to_string().contains("short"),
        "never quotes the value"
    );
    let broken = error(&[("WORKOS_COOKIE_PASSWORD_PREVIOUS", "[\"unterminated")]);
    assert_eq!(broken.setting, "WORKOS_COOKIE_PASSWORD_PREVIOUS");
}

#[test]
fn sessions_take_four_cookies_unless_told_and_never_more_than_ten() {
    assert_eq!(config(&[]).unwrap().cookie_max_chunks, 4);
    assert_eq!(
        config(&[("WORKOS_COOKIE_MAX_CHUNKS", "10")])
            .unwrap()
            .cookie_max_chunks,
        10
    );
    for bad in ["0", "11", "four"] {
        assert_eq!(
            error(&[("WORKOS_COOKIE_MAX_CHUNKS", bad)]).setting,
            "WORKOS_COOKIE_MAX_CHUNKS"
        );
    }
}
