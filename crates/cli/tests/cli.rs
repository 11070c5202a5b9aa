//! The `workos-edge` binary itself, on cookies and tokens made by the real @workos-inc/node 11:
//! its `authenticate` and `unseal` output must equal what the SDK recorded, failures must give
//! the SDK reason and the documented exit codes, and no secret may be echoed.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// `generated_at` of public.json: the clock the vectors were made at, in seconds.
const VECTORS_NOW: &str = "1795801917";
const PUBLIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../core/tests/data/public.json"
);

fn vectors() -> Value {
    serde_json::from_str(&std::fs::read_to_string(PUBLIC).unwrap()).unwrap()
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_workos-edge"))
        .args(args)
        .env_remove("WORKOS_COOKIE_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The CLI may exit (a usage or configuration error) before reading stdin: a broken pipe
    // here is an answer, not a test failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn unix_ms() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    u64::try_from(since_epoch.as_millis()).unwrap()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn authenticate_and_unseal_print_what_the_sdk_returned() {
    let file = vectors();
    let mut checked = 0;
    for v in file["seal_vectors"].as_array().unwrap() {
        let Some(password) = v["password"].as_str() else {
            continue;
        };
        let id = v["id"].as_str().unwrap();
        let sealed = v["sealed"].as_str().unwrap();
        let auth = run(
            &[
                "authenticate",
                "--password",
                password,
                "--jwks",
                PUBLIC,
                "--now",
                VECTORS_NOW,
            ],
            sealed,
        );
        assert!(auth.status.success(), "{id}");
        assert_eq!(
            stdout_json(&auth),
            v["results"]["workos_authenticate"]["value"],
            "{id}"
        );

        let unsealed = run(
            &["unseal", "--password", password, "--now", VECTORS_NOW],
            sealed,
        );
        assert!(unsealed.status.success(), "{id}");
        assert_eq!(
            stdout_json(&unsealed),
            v["results"]["workos_getSessionFromCookie"]["value"],
            "{id}"
        );
        checked += 1;
    }
    assert_eq!(checked, 11, "every string-password seal vector");
}

#[test]
fn authenticate_gives_the_reason_and_exits_zero() {
    let file = vectors();
    let password = file["passwords"]["main"].as_str().unwrap();
    for t in file["access_tokens"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let out = run(
            &[
                "authenticate",
                "--password",
                password,
                "--jwks",
                PUBLIC,
                "--now",
                VECTORS_NOW,
            ],
            t["sealed_session_with_this_token"].as_str().unwrap(),
        );
        assert!(out.status.success(), "{name}");
        let sdk = &t["expected"]["workos_authenticate"];
        let expected = if sdk["ok"] == true {
            sdk["value"].clone()
        } else {
            json!({"authenticated": false, "reason": "invalid_jwt"})
        };
        assert_eq!(stdout_json(&out), expected, "{name}");
    }
    let empty = run(
        &["authenticate", "--password", password, "--jwks", PUBLIC],
        "",
    );
    assert_eq!(
        stdout_json(&empty),
        json!({"authenticated": false, "reason": "no_session_cookie_provided"})
    );
}

#[test]
fn unseal_failures_exit_one_with_the_sdk_reason() {
    let password = "public-vectors-cookie-password-0123456789-abcdef";
    let bad = run(&["unseal", "--password", password], "Fe26.2*1*garbage~2");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).starts_with("invalid_session_cookie"));
    let empty = run(&["unseal", "--password", password], "\n");
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).starts_with("no_session_cookie_provided"));
}

#[test]
fn configuration_errors_exit_two_and_never_echo_the_secret() {
    let short = run(&["unseal", "--password", "hunter2-short"], "x");
    assert_eq!(short.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(
        stderr.contains("too short") && !stderr.contains("hunter2-short"),
        "{stderr}"
    );
    let missing = run(&["seal"], "{}");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("WORKOS_COOKIE_PASSWORD"));
}

#[test]
fn seal_with_a_map_and_ttl_then_inspect_and_unseal() {
    let old = "an-old-cookie-password-that-is-32-chars";
    let new = "a-new-cookie-password-that-is-32-chars!";
    let map = [format!("1={old}"), format!("2={new}")];
    let before = unix_ms();
    let sealed = run(
        &[
            "seal",
            "--password",
            &map[0],
            "--password",
            &map[1],
            "--ttl",
            "3600",
        ],
        r#"{"accessToken":"a","x":[1,"é"]}"#,
    );
    let after = unix_ms();
    assert!(sealed.status.success());
    let cookie = String::from_utf8(sealed.stdout).unwrap().trim().to_owned();

    let inspected = stdout_json(&run(&["inspect"], &cookie));
    assert_eq!(inspected["password_id"], "2", "the highest id seals");
    assert_eq!(inspected["version_suffix"], "2");
    assert_eq!(inspected["well_formed"], true);
    // `--ttl 3600` is an hour from when the CLI ran (a couple of seconds of slack for clocks).
    let expires = inspected["expiration_ms"].as_u64().unwrap();
    let hour = 3_600_000;
    assert!(
        (before + hour - 2_000..=after + hour + 2_000).contains(&expires),
        "expiration {expires} is not an hour after {before}..{after}"
    );

    let opened = run(
        &["unseal", "--password", &map[0], "--password", &map[1]],
        &cookie,
    );
    assert_eq!(
        stdout_json(&opened),
        json!({"accessToken": "a", "x": [1, "é"]})
    );
    let with_old_only = run(&["unseal", "--password", &map[0]], &cookie);
    assert_eq!(with_old_only.status.code(), Some(1));
}

#[test]
fn inspect_flags_cookies_browsers_would_drop() {
    let file = vectors();
    let long = file["seal_vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "public-long-user")
        .unwrap();
    let report = stdout_json(&run(&["inspect"], long["sealed"].as_str().unwrap()));
    assert_eq!(report["fits_in_browser_cookie"], false);
    assert_eq!(report["length"], long["sealed_length"]);
}
