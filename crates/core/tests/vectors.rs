//! Table tests over every vector made by the real `@workos-inc/node` 11, iron-session 8,
//! iron-webcrypto, @hapi/iron and jose (tests/data/public.json).

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{json, Value};
use workos_edge_core::api::{ApiReply, AuthenticateGrant, AuthenticationResponse};
use workos_edge_core::authenticate::authenticate;
use workos_edge_core::cookie::unseal_json;
use workos_edge_core::iron::{self, SealRandomness};
use workos_edge_core::jwt::{self, RustRsaVerifier, VerifyOptions};
use workos_edge_core::refresh::{complete_refresh, plan_refresh, ClientConfig, RefreshFailure};
use workos_edge_core::{logout_url_for, Password, PasswordSet, SessionCookieData};

const API_KEY: &str = "sk_test_vectors_not_a_real_key";
const RETURN_TO: &str = "https://app.example.com/signed out?x=1";

fn client(file: &Value) -> ClientConfig {
    ClientConfig {
        base_url: file["api_base_url"].as_str().unwrap().to_owned(),
        client_id: file["client_id"].as_str().unwrap().to_owned(),
        api_key: Some(API_KEY.to_owned()),
    }
}

fn hex(bytes: &[u8]) -> String {
    workos_edge_core::encoding::hex_lower(bytes)
}

#[test]
fn deterministic_seal_is_byte_exact() {
    let file = public();
    let d = &file["deterministic_seal"];
    let password = Password::new("1", d["password"].as_str().unwrap()).unwrap();
    let enc_salt = d["encryption_salt_text"].as_str().unwrap();
    let mac_salt = d["hmac_salt_text"].as_str().unwrap();
    assert_eq!(
        hex(&iron::derive_key(&password, enc_salt)),
        d["derived_encryption_key_hex"]
    );
    assert_eq!(
        hex(&iron::derive_key(&password, mac_salt)),
        d["derived_hmac_key_hex"]
    );

    let iv: [u8; 16] = core::array::from_fn(|i| i as u8);
    assert_eq!(hex(&iv), d["iv_hex"]);
    let plaintext = d["plaintext_json"].as_str().unwrap();
    let sealed = iron::seal_with_salt_text(
        plaintext.as_bytes(),
        &password,
        enc_salt,
        mac_salt,
        &iv,
        None,
    );
    assert_eq!(sealed, d["sealed_without_suffix"].as_str().unwrap());
    assert!(sealed.starts_with(d["mac_base_string"].as_str().unwrap()));

    // The same through the cookie layer, with the randomness given as bytes.
    let set = PasswordSet::single(d["password"].as_str().unwrap()).unwrap();
    let randomness = SealRandomness {
        encryption_salt: [0xaa; 32],
        hmac_salt: [0xbb; 32],
        iv,
    };
    let value: Value = serde_json::from_str(plaintext).unwrap();
    let cookie = workos_edge_core::cookie::seal_json(&value, &set, &randomness, None);
    assert_eq!(cookie, d["sealed"].as_str().unwrap());
    assert_json_eq(
        &unseal_json(&cookie, &set, 0).unwrap(),
        &d["expected_unsealed_json"],
        "deterministic",
    );
}

#[test]
fn every_seal_vector_unseals_and_authenticates_like_the_sdk() {
    let file = public();
    let jwks = jwks(&file);
    let vectors = file["seal_vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 12);
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let set = passwords(&v["password"]);
        let sealed = v["sealed"].as_str().unwrap();
        let unsealed =
            unseal_json(sealed, &set, VECTORS_NOW_MS).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_json_eq(&unsealed, &v["expected_unsealed_json"], id);

        let results = &v["results"];
        let result = authenticate(
            Some(sealed),
            &set,
            &jwks,
            &RustRsaVerifier,
            VECTORS_NOW_MS,
            &VerifyOptions::default(),
        );
        let ours = result
            .as_ref()
            .map_or_else(|f| f.to_sdk_json(), |s| s.to_sdk_json());
        if v["password"].is_string() {
            assert_json_eq(
                &unsealed,
                &results["workos_getSessionFromCookie"]["value"],
                id,
            );
            assert_json_eq(&ours, &results["workos_authenticate"]["value"], id);
            // Key order too: the result serialises exactly as the SDK's object does.
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&results["workos_authenticate"]["value"]).unwrap(),
                "{id}: key order"
            );
        } else {
            // iron-session password map: we read it as iron-session does; the SDK cannot.
            assert_json_eq(&unsealed, &results["iron_session_unsealData"]["value"], id);
            for (pid, expected) in results["workos_with_each_password"].as_object().unwrap() {
                let single = PasswordSet::single(v["password"][pid].as_str().unwrap()).unwrap();
                let r = authenticate(
                    Some(sealed),
                    &single,
                    &jwks,
                    &RustRsaVerifier,
                    VECTORS_NOW_MS,
                    &VerifyOptions::default(),
                );
                assert_json_eq(&r.unwrap_err().to_sdk_json(), &expected["value"], id);
            }
        }
    }
}

#[test]
fn session_model_is_built_exactly_as_the_sdk_seals_it() {
    let file = public();
    let client = client(&file);
    let mut checked = 0;
    for v in file["seal_vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        if let Some(response) = v
            .get("api_response")
            .or_else(|| v.get("refresh_api_response"))
        {
            let response =
                AuthenticationResponse::from_json(response.to_string().as_bytes()).unwrap();
            let cookie = SessionCookieData::from_authentication_response(&response);
            // Byte-exact: same keys, same order, same escaping as JSON.stringify.
            assert_eq!(
                serde_json::to_string(&cookie).unwrap(),
                v["plaintext_json"].as_str().unwrap(),
                "{id}"
            );
            checked += 1;
        }

        if let Some(request) = v.get("api_request") {
            let body = &request["body"];
            let text = |key: &str| body[key].as_str().map(str::to_owned);
            let grant = match body["grant_type"].as_str().unwrap() {
                "authorization_code" => AuthenticateGrant::AuthorizationCode {
                    client_id: client.client_id.clone(),
                    client_secret: Some(API_KEY.into()),
                    code: body["code"].as_str().unwrap().into(),
                    code_verifier: text("code_verifier"),
                    invitation_token: None,
                    ip_address: text("ip_address"),
                    user_agent: text("user_agent"),
                },
                "password" => AuthenticateGrant::Password {
                    client_id: client.client_id.clone(),
                    client_secret: API_KEY.into(),
                    email: body["email"].as_str().unwrap().into(),
                    password: body["password"].as_str().unwrap().into(),
                    invitation_token: None,
                    ip_address: text("ip_address"),
                    user_agent: text("user_agent"),
                },
                other => panic!("{id}: grant {other}"),
            };
            let ours = grant.to_request(&client.base_url, Some(API_KEY));
            assert_eq!(ours.url, request["url"].as_str().unwrap(), "{id}");
            assert_json_eq(ours.body.as_ref().unwrap(), body, id);
            assert_headers_match(&ours.headers, &request["headers"], id);
            checked += 1;
        }
    }
    assert_eq!(
        checked, 4,
        "two replies and two requests are recorded in public.json"
    );
}

/// Headers the SDK sends that we leave out on purpose: `user-agent` names the SDK and its version
/// (`workos-node/11.0.0`), which we are not. Each must be in the recording, so this list cannot
/// hide a header the SDK stopped sending.
const SDK_ONLY_HEADERS: &[&str] = &["user-agent"];

/// Our headers and the SDK's recorded ones are the same set, in both directions: no header we
/// send is missing from the recording or has another value, and no header the SDK sent is
/// missing from ours except the ones named in [`SDK_ONLY_HEADERS`]. Names compare
/// case-insensitively, as HTTP's do.
fn assert_headers_match(ours: &[(String, String)], theirs: &Value, id: &str) {
    let ours_by_name: BTreeMap<String, &str> = ours
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.as_str()))
        .collect();
    assert_eq!(ours_by_name.len(), ours.len(), "{id}: a header sent twice");
    let mut theirs_by_name: BTreeMap<String, &str> = theirs
        .as_object()
        .unwrap_or_else(|| panic!("{id}: recorded headers are an object"))
        .iter()
        .map(|(name, value)| {
            let value = value.as_str();
            (
                name.to_ascii_lowercase(),
                value.expect("header values are strings"),
            )
        })
        .collect();
    for name in SDK_ONLY_HEADERS {
        assert!(
            theirs_by_name.remove(*name).is_some(),
            "{id}: the SDK no longer sends {name}; drop it from SDK_ONLY_HEADERS"
        );
    }
    assert_eq!(ours_by_name, theirs_by_name, "{id}: headers");
}

#[test]
fn refresh_with_a_new_password_reproduces_the_sdk_result() {
    let file = public();
    let client = client(&file);
    let v = file["seal_vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "public-refreshed-rotated-password")
        .unwrap();
    let source = file["seal_vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == v["refreshed_from"])
        .unwrap();
    let old = passwords(&v["old_password"]);
    let new = passwords(&v["password"]);

    let plan = plan_refresh(
        source["sealed"].as_str(),
        &old,
        VECTORS_NOW_MS,
        &client,
        None,
    )
    .unwrap();
    let expected_request = &v["refresh_api_request"];
    assert_eq!(plan.request.url, expected_request["url"].as_str().unwrap());
    assert_json_eq(
        plan.request.body.as_ref().unwrap(),
        &expected_request["body"],
        "refresh body",
    );
    assert_headers_match(
        &plan.request.headers,
        &expected_request["headers"],
        "refresh headers",
    );

    let reply = ApiReply::Response {
        status: 200,
        retry_after: None,
        request_id: None,
        body: v["refresh_api_response"].to_string().into_bytes(),
    };
    let refreshed =
        complete_refresh(&reply, &new, &SealRandomness::from_bytes([9; 80]), None).unwrap();
    let mut ours = refreshed.to_sdk_json();
    let mut expected = v["expected_refresh_result"].clone();
    for value in [&mut ours, &mut expected] {
        value["sealedSession"] = json!("<random>");
        value["session"]["sealedSession"] = json!("<random>");
    }
    assert_json_eq(&ours, &expected, "refresh result");
    assert_eq!(
        serde_json::to_string(&ours).unwrap(),
        serde_json::to_string(&expected).unwrap(),
        "refresh result key order"
    );

    let jwks = jwks(&file);
    let opts = VerifyOptions::default();
    assert_json_eq(
        &unseal_json(&refreshed.sealed, &new, VECTORS_NOW_MS).unwrap(),
        &v["expected_unsealed_json"],
        "new cookie",
    );
    let with_old = authenticate(
        Some(&refreshed.sealed),
        &old,
        &jwks,
        &RustRsaVerifier,
        VECTORS_NOW_MS,
        &opts,
    );
    assert_json_eq(
        &with_old.unwrap_err().to_sdk_json(),
        &v["old_password_authenticate"]["value"],
        "old password",
    );
}

#[test]
fn organization_switch_sends_the_new_organization() {
    let file = public();
    let v = &file["seal_vectors"][2];
    let set = passwords(&v["password"]);
    let plan = plan_refresh(
        v["sealed"].as_str(),
        &set,
        VECTORS_NOW_MS,
        &client(&file),
        Some("org_other"),
    )
    .unwrap();
    assert_eq!(
        plan.request.body.as_ref().unwrap()["organization_id"],
        "org_other"
    );
}

/// What each canned API failure must give. Where the SDK returns a result we match it; where it
/// throws we return the documented portable outcome.
#[test]
fn refresh_outcomes_match_the_sdk() {
    let file = public();
    let set = passwords(&file["passwords"]["main"]);
    for outcome in file["refresh_outcomes"].as_array().unwrap() {
        let name = outcome["name"].as_str().unwrap();
        let sdk = &outcome["sdk_refresh_result"];
        let reply = &outcome["api_reply"];
        let result = if reply.is_null() {
            plan_refresh(
                Some("Fe26.2*garbage"),
                &set,
                VECTORS_NOW_MS,
                &client(&file),
                None,
            )
            .map(|_| unreachable!())
        } else {
            complete_refresh(
                &to_reply(reply),
                &set,
                &SealRandomness::from_bytes([1; 80]),
                None,
            )
        };
        let failure = result.expect_err(name);
        match (sdk["ok"].as_bool().unwrap(), &failure) {
            (true, _) => {
                let ours = failure
                    .to_sdk_json()
                    .unwrap_or_else(|| panic!("{name}: SDK returned a result, we did not"));
                assert_json_eq(&comparable(&ours), &comparable(&sdk["value"]), name);
                // What a host acts on (keep the session and retry, or sign out) is the SDK's
                // `retryable` for this very reply.
                assert_eq!(
                    failure.is_retryable(),
                    sdk["value"]["retryable"].as_bool().unwrap(),
                    "{name}: retryable"
                );
            }
            (false, RefreshFailure::Unexpected(error)) => {
                assert_eq!(error.name, sdk["error"]["name"].as_str().unwrap(), "{name}");
                if error.name != "Error" {
                    assert_eq!(
                        error.message,
                        sdk["error"]["message"].as_str().unwrap(),
                        "{name}"
                    );
                }
                // The error describes this reply: its status and the SDK's error code.
                assert_eq!(
                    error.status.map(u64::from),
                    reply["status"].as_u64(),
                    "{name}: status"
                );
                assert_eq!(
                    error.code.as_deref(),
                    sdk["error"]["code"].as_str(),
                    "{name}: code"
                );
            }
            (false, RefreshFailure::Failed { reason, .. }) => {
                // The one documented difference: a 5xx with an HTML body is WorkOS failing.
                assert_eq!(name, "bad_gateway_502_html");
                assert_eq!(reason.as_str(), "server_error");
            }
        }
    }
}

fn to_reply(reply: &Value) -> ApiReply {
    if reply["throwTypeError"] == true {
        return ApiReply::NetworkError("fetch failed".into());
    }
    if reply["hang"] == true {
        return ApiReply::Timeout;
    }
    let body = match &reply["body"] {
        Value::String(raw) if reply["raw"] == true => raw.clone().into_bytes(),
        other => other.to_string().into_bytes(),
    };
    ApiReply::Response {
        status: reply["status"].as_u64().unwrap() as u16,
        retry_after: reply["headers"]["Retry-After"].as_str().map(str::to_owned),
        request_id: None,
        body,
    }
}

/// The SDK's error objects carry more than name/message/status; compare just those.
fn comparable(value: &Value) -> Value {
    let mut value = value.clone();
    if let Some(error) = value.get_mut("error") {
        *error = json!({ "name": error["name"], "message": error["message"], "status": error["status"] });
    }
    value
}

#[test]
fn every_access_token_vector() {
    let file = public();
    let jwks = jwks(&file);
    let set = passwords(&file["passwords"]["main"]);
    let now_s = (VECTORS_NOW_MS / 1000) as i64;
    let tokens = file["access_tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 13);
    for t in tokens {
        let name = t["name"].as_str().unwrap();
        let expected = &t["expected"];
        let verified = jwt::verify(
            t["token"].as_str().unwrap(),
            &jwks,
            &RustRsaVerifier,
            now_s,
            &VerifyOptions::default(),
        );
        assert_eq!(
            verified.is_ok(),
            expected["valid"].as_bool().unwrap(),
            "{name}: {verified:?}"
        );

        let result = authenticate(
            t["sealed_session_with_this_token"].as_str(),
            &set,
            &jwks,
            &RustRsaVerifier,
            VECTORS_NOW_MS,
            &VerifyOptions::default(),
        );
        let ours = result
            .as_ref()
            .map_or_else(|f| f.to_sdk_json(), |s| s.to_sdk_json());
        let sdk = &expected["workos_authenticate"];
        if sdk["ok"] == true {
            assert_json_eq(&ours, &sdk["value"], name);
        } else {
            // The SDK throws (unknown kid, alg none, HS256, RS512); portable outcome: invalid_jwt.
            assert!(
                t["portable_expectation"]
                    .as_str()
                    .unwrap()
                    .contains("invalid_jwt"),
                "{name}"
            );
            assert_json_eq(
                &ours,
                &json!({"authenticated": false, "reason": "invalid_jwt"}),
                name,
            );
        }
        if name == "wrong-kid" {
            assert!(
                result.as_ref().unwrap_err().is_unknown_key_id(),
                "wrong-kid must ask for a JWKS refetch"
            );
        }

        let logout = logout_url_for(
            &result,
            file["api_base_url"].as_str().unwrap(),
            Some(RETURN_TO),
        );
        let sdk_logout = &expected["workos_getLogoutUrl"];
        match (&logout, sdk_logout["ok"] == true) {
            (Ok(url), true) => assert_eq!(url, sdk_logout["value"].as_str().unwrap(), "{name}"),
            (Err(message), false)
                if sdk_logout["error"]["name"] == "Error"
                    || sdk_logout["error"]["name"] == "TypeError" =>
            {
                assert_eq!(
                    message,
                    sdk_logout["error"]["message"].as_str().unwrap(),
                    "{name}"
                )
            }
            (Err(message), false) => {
                assert_eq!(
                    message, "Failed to extract session ID for logout URL: invalid_jwt",
                    "{name}"
                )
            }
            (ours, _) => panic!("{name}: logout {ours:?} vs SDK {sdk_logout}"),
        }
    }
}

#[test]
fn issuer_and_leeway_options() {
    let file = public();
    let jwks = jwks(&file);
    let token = |name: &str| {
        file["access_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let now_s = (VECTORS_NOW_MS / 1000) as i64;
    let strict = VerifyOptions {
        leeway_seconds: 0,
        issuers: vec![file["issuer_used_in_tokens"].as_str().unwrap().into()],
    };
    assert!(jwt::verify(&token("valid"), &jwks, &RustRsaVerifier, now_s, &strict).is_ok());
    assert_eq!(
        jwt::verify(
            &token("other-issuer"),
            &jwks,
            &RustRsaVerifier,
            now_s,
            &strict
        ),
        Err(jwt::JwtError::WrongIssuer)
    );

    let expired = token("expired");
    let exp = jwt::decode_claims_unverified(&expired).unwrap();
    assert!(exp.sub.is_some());
    let claims = &file["access_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "expired")
        .unwrap()["payload"];
    let exp_s = claims["exp"].as_i64().unwrap();
    let lenient = VerifyOptions {
        leeway_seconds: 30,
        issuers: vec![],
    };
    assert!(jwt::verify(&expired, &jwks, &RustRsaVerifier, exp_s + 29, &lenient).is_ok());
    assert_eq!(
        jwt::verify(&expired, &jwks, &RustRsaVerifier, exp_s + 30, &lenient),
        Err(jwt::JwtError::Expired)
    );
    assert_eq!(
        jwt::verify(
            &expired,
            &jwks,
            &RustRsaVerifier,
            exp_s,
            &VerifyOptions::default()
        ),
        Err(jwt::JwtError::Expired)
    );
    assert!(jwt::verify(
        &expired,
        &jwks,
        &RustRsaVerifier,
        exp_s - 1,
        &VerifyOptions::default()
    )
    .is_ok());
}
