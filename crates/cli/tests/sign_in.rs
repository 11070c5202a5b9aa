//! `login`, `token`, `whoami` and `logout` against a fake WorkOS (see `support`): RFC 8628
//! polling, the exit codes, the credentials file's modes, and tokens never leaking to the output.

mod support;

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{jwt, mode, now, ConfigHome, FakeWorkos, Recorded, Reply};

const CLIENT_ID: &str = "client_test_cli";
const DEVICE_CODE: &str = "dc_secret_device_code_7f3a";
const REFRESH_TOKEN: &str = "rt_secret_refresh_1";
const NEW_REFRESH_TOKEN: &str = "rt_secret_refresh_2";

fn user() -> Value {
    json!({
        "object": "user",
        "id": "user_01TEST",
        "email": "ada@example.com",
        "email_verified": true,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "profile_picture_url": null,
        "metadata": {},
    })
}

fn device_authorization(interval: u64, expires_in: u64) -> Reply {
    Reply::Json(
        200,
        json!({
            "device_code": DEVICE_CODE,
            "user_code": "BCDF-GHJK",
            "verification_uri": "https://auth.example/device",
            "verification_uri_complete": "https://auth.example/device?user_code=BCDF-GHJK",
            "expires_in": expires_in,
            "interval": interval,
        }),
    )
}

fn authenticated(access_token: &str, refresh_token: &str) -> Reply {
    Reply::Json(
        200,
        json!({
            "user": user(),
            "organization_id": "org_01TEST",
            "access_token": access_token,
            "refresh_token": refresh_token,
            "authentication_method": "Password",
        }),
    )
}

fn oauth_error(error: &str) -> Reply {
    Reply::Json(
        400,
        json!({ "error": error, "error_description": format!("{error} (description)") }),
    )
}

fn emulator_error(code: &str) -> Reply {
    Reply::Json(
        400,
        json!({ "code": code, "message": format!("{code} (message)") }),
    )
}

fn saved_credentials(base_url: &str, access_token: &str) -> Value {
    json!({
        "access_token": access_token,
        "refresh_token": REFRESH_TOKEN,
        "user": user(),
        "organization_id": "org_01TEST",
        "api_base_url": base_url,
        "client_id": CLIENT_ID,
        "saved_at": now() - 10,
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn login(home: &ConfigHome, fake: &FakeWorkos) -> Output {
    home.run(&[
        "login",
        "--client-id",
        CLIENT_ID,
        "--api-base-url",
        &fake.base_url,
    ])
}

fn assert_device_poll(request: &Recorded) {
    assert_eq!(request.path, "/user_management/authenticate");
    assert_eq!(
        request.body,
        json!({
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": DEVICE_CODE,
            "client_id": CLIENT_ID,
        })
    );
}

#[test]
fn login_polls_until_approved_and_saves_private_credentials() {
    let access_token = jwt("user_01TEST", 3600);
    let fake = FakeWorkos::start(vec![
        device_authorization(1, 60),
        oauth_error("authorization_pending"),
        authenticated(&access_token, REFRESH_TOKEN),
    ]);
    let home = ConfigHome::new("login");
    let output = login(&home, &fake);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    assert!(stderr.contains("https://auth.example/device"), "{stderr}");
    assert!(stderr.contains("BCDF-GHJK"), "{stderr}");
    assert!(stderr.contains("https://auth.example/device?user_code=BCDF-GHJK"));
    assert!(stderr.contains("ada@example.com"), "{stderr}");
    for secret in [access_token.as_str(), REFRESH_TOKEN, DEVICE_CODE] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }

    assert_eq!(mode(&home.dir()), 0o700);
    assert_eq!(mode(&home.file()), 0o600);
    let saved = home.read();
    assert_eq!(saved["access_token"], access_token.as_str());
    assert_eq!(saved["refresh_token"], REFRESH_TOKEN);
    assert_eq!(saved["user"]["id"], "user_01TEST");
    assert_eq!(saved["user"]["email"], "ada@example.com");
    assert_eq!(saved["user"]["metadata"], json!({}));
    assert_eq!(saved["organization_id"], "org_01TEST");
    assert_eq!(saved["api_base_url"], fake.base_url.as_str());
    assert_eq!(saved["client_id"], CLIENT_ID);
    assert!((saved["saved_at"].as_i64().unwrap() - now()).abs() < 60);
    // No temp file left behind.
    assert_eq!(std::fs::read_dir(home.dir()).unwrap().count(), 1);

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].path, "/user_management/authorize/device");
    assert_eq!(requests[0].body, json!({ "client_id": CLIENT_ID }));
    assert!(requests[0]
        .headers
        .iter()
        .all(|(name, _)| name != "authorization"));
    let agent = requests[0]
        .headers
        .iter()
        .find(|(name, _)| name == "user-agent");
    assert!(agent.unwrap().1.starts_with("workos-edge-cli/"));
    assert_device_poll(&requests[1]);
    assert_device_poll(&requests[2]);
    // The first poll goes out at once, the next after the interval.
    assert!(requests[1].at - requests[0].at < Duration::from_millis(700));
    assert!(requests[2].at - requests[1].at >= Duration::from_millis(900));
}

#[test]
fn slow_down_adds_five_seconds_to_the_interval() {
    let fake = FakeWorkos::start(vec![
        device_authorization(1, 60),
        emulator_error("slow_down"),
        authenticated(&jwt("user_01TEST", 3600), REFRESH_TOKEN),
    ]);
    let home = ConfigHome::new("slow-down");
    let output = login(&home, &fake);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let gap = requests[2].at - requests[1].at;
    assert!(gap >= Duration::from_millis(5900), "{gap:?}");
    assert!(gap < Duration::from_secs(9), "{gap:?}");
}

#[test]
fn denied_exits_four_and_expired_exits_five() {
    for (reply, code) in [
        (emulator_error("access_denied"), 4),
        (oauth_error("access_denied"), 4),
        (oauth_error("expired_token"), 5),
        (emulator_error("expired_token"), 5),
    ] {
        let fake = FakeWorkos::start(vec![device_authorization(1, 60), reply]);
        let home = ConfigHome::new("refused");
        let output = login(&home, &fake);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(!stderr.contains(DEVICE_CODE));
        assert!(!home.file().exists());
    }
}

#[test]
fn login_gives_up_when_the_code_lifetime_has_passed() {
    let fake = FakeWorkos::start(vec![
        device_authorization(1, 2),
        oauth_error("authorization_pending"),
        oauth_error("authorization_pending"),
        oauth_error("authorization_pending"),
        oauth_error("authorization_pending"),
    ]);
    let home = ConfigHome::new("lifetime");
    let started = Instant::now();
    let output = login(&home, &fake);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!home.file().exists());
}

#[test]
fn network_failures_are_retried_and_other_errors_stop() {
    let fake = FakeWorkos::start(vec![
        device_authorization(1, 60),
        Reply::Drop,
        Reply::Json(503, json!({ "message": "unavailable" })),
        authenticated(&jwt("user_01TEST", 3600), REFRESH_TOKEN),
    ]);
    let home = ConfigHome::new("retry");
    let output = login(&home, &fake);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(fake.requests().len(), 4);

    let fake = FakeWorkos::start(vec![
        device_authorization(1, 60),
        emulator_error("invalid_grant"),
    ]);
    let output = login(&home, &fake);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("invalid_grant"), "{stderr}");
    assert!(!stderr.contains(DEVICE_CODE));

    let missing = home.run(&["login", "--api-base-url", &fake.base_url]);
    assert_eq!(missing.status.code(), Some(2));
    let plain = home.run(&[
        "login",
        "--client-id",
        CLIENT_ID,
        "--api-base-url",
        "http://x.test",
    ]);
    assert_eq!(plain.status.code(), Some(2));
}

#[test]
fn token_prints_a_fresh_token_without_calling_workos() {
    let fake = FakeWorkos::start(vec![]);
    let home = ConfigHome::new("token-fresh");
    let access_token = jwt("user_01TEST", 3600);
    home.write(&saved_credentials(&fake.base_url, &access_token));
    let output = home.run(&["token"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{access_token}\n"));
    assert!(output.stderr.is_empty());
    assert!(fake.requests().is_empty());
}

#[test]
fn token_refreshes_as_a_public_client_and_rewrites_the_file() {
    let new_access_token = jwt("user_01TEST", 3 * 3600);
    let fake = FakeWorkos::start(vec![authenticated(&new_access_token, NEW_REFRESH_TOKEN)]);
    let home = ConfigHome::new("token-refresh");
    let old_access_token = jwt("user_01TEST", 3600);
    home.write(&saved_credentials(&fake.base_url, &old_access_token));
    let output = home.run(&["token", "--min-validity", "7200"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&output.stdout), format!("{new_access_token}\n"));
    assert!(!stderr.contains(NEW_REFRESH_TOKEN) && !stderr.contains(REFRESH_TOKEN));

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/user_management/authenticate");
    assert_eq!(requests[0].body["grant_type"], "refresh_token");
    assert_eq!(requests[0].body["refresh_token"], REFRESH_TOKEN);
    assert_eq!(requests[0].body["client_id"], CLIENT_ID);
    assert!(requests[0].body.get("client_secret").is_none());
    assert!(requests[0]
        .headers
        .iter()
        .all(|(name, _)| name != "authorization"));
    drop(requests);

    let saved = home.read();
    assert_eq!(saved["access_token"], new_access_token.as_str());
    assert_eq!(saved["refresh_token"], NEW_REFRESH_TOKEN);
    assert_eq!(saved["client_id"], CLIENT_ID);
    assert_eq!(mode(&home.file()), 0o600);
    assert_eq!(std::fs::read_dir(home.dir()).unwrap().count(), 1);

    // The new token is good for three hours: no second call.
    let again = home.run(&["token", "--min-validity", "7200"]);
    assert_eq!(text(&again.stdout), format!("{new_access_token}\n"));
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn a_refused_refresh_means_signing_in_again() {
    let fake = FakeWorkos::start(vec![oauth_error("invalid_grant")]);
    let home = ConfigHome::new("token-refused");
    let expired = jwt("user_01TEST", -30);
    let credentials = saved_credentials(&fake.base_url, &expired);
    home.write(&credentials);
    let output = home.run(&["token"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("your sign-in has expired; run `workos-edge login`"));
    assert!(output.stdout.is_empty());
    assert_eq!(home.read(), credentials);

    let fake = FakeWorkos::start(vec![emulator_error("invalid_grant")]);
    home.write(&saved_credentials(&fake.base_url, &expired));
    assert_eq!(home.run(&["token"]).status.code(), Some(3));
}

#[test]
fn whoami_logout_and_signed_out_commands() {
    let home = ConfigHome::new("whoami");
    for command in [&["token"][..], &["whoami"]] {
        let output = home.run(command);
        assert_eq!(output.status.code(), Some(3));
        assert!(text(&output.stderr).contains("workos-edge login"));
    }

    let access_token = jwt("user_01TEST", 3600);
    home.write(&saved_credentials("https://api.workos.com", &access_token));
    let output = home.run(&["whoami"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout.contains("ada@example.com"), "{stdout}");
    assert!(stdout.contains("user_01TEST"));
    assert!(stdout.contains("org_01TEST"));
    assert!(!stdout.contains(&access_token) && !stdout.contains(REFRESH_TOKEN));

    let output = home.run(&["whoami", "--json"]);
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["user"]["email"], "ada@example.com");
    assert_eq!(value["user"]["id"], "user_01TEST");
    assert_eq!(value["organization_id"], "org_01TEST");
    assert_eq!(value["client_id"], CLIENT_ID);
    assert!(!text(&output.stdout).contains(&access_token));

    let output = home.run(&["logout"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(!home.file().exists());
    let output = home.run(&["logout"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stderr).contains("Not signed in"));
    assert_eq!(home.run(&["token"]).status.code(), Some(3));
}

#[test]
fn concurrent_token_calls_spend_the_refresh_token_once() {
    let new_access_token = jwt("user_01TEST", 3 * 3600);
    let fake = FakeWorkos::start(vec![
        authenticated(&new_access_token, NEW_REFRESH_TOKEN),
        oauth_error("invalid_grant"),
    ]);
    let home = ConfigHome::new("token-concurrent");
    home.write(&saved_credentials(&fake.base_url, &jwt("user_01TEST", 10)));
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| home.run(&["token"])))
            .collect();
        calls.into_iter().map(|call| call.join().unwrap()).collect()
    });
    for output in outputs {
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(text(&output.stdout), format!("{new_access_token}\n"));
    }
    assert_eq!(fake.requests().len(), 1);
    assert_eq!(home.read()["refresh_token"], NEW_REFRESH_TOKEN);
}
