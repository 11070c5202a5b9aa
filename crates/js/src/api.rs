//! WorkOS API calls the JS layer sends: the requests described, the replies classified as the
//! SDK classifies them (refresh, code and password exchanges).

use super::*;

#[derive(Serialize)]
struct RequestDescription<'a> {
    method: &'a str,
    url: &'a str,
    headers: &'a [(String, String)],
    body: Option<String>,
}

fn describe(request: &ApiRequest) -> Result<JsValue, JsError> {
    to_js(&RequestDescription {
        method: request.method,
        url: &request.url,
        headers: &request.headers,
        body: request.body.as_ref().map(Value::to_string),
    })
}

/// `POST /user_management/authenticate` for a grant given in the API's snake_case form
/// (`{grant_type, client_id, client_secret, ...}`).
#[wasm_bindgen(js_name = authenticateRequest)]
pub fn authenticate_request(
    grant: JsValue,
    base_url: &str,
    api_key: Option<String>,
) -> Result<JsValue, JsError> {
    let grant =
        AuthenticateGrant::from_value(json_from_js(grant, "grant")?).map_err(shape("grant"))?;
    describe(&grant.to_request(base_url, api_key.as_deref()))
}

/// The reply of an API call as the JS layer reports it: `{kind: "response", status,
/// retryAfter?, requestId?, body}`, `{kind: "timeout"}` or `{kind: "network", message}`.
fn reply(value: JsValue) -> Result<ApiReply, JsError> {
    let mut m = Members::of(json_from_js(value, "reply")?, "reply").map_err(shape("reply"))?;
    let read = |m: &mut Members| -> Result<ApiReply, ShapeError> {
        Ok(match m.string("kind")?.as_str() {
            "response" => ApiReply::Response {
                status: m
                    .optional_u64("status")?
                    .and_then(|status| u16::try_from(status).ok())
                    .ok_or(ShapeError("status"))?,
                retry_after: m.optional_string("retryAfter")?,
                request_id: m.optional_string("requestId")?,
                body: m.string("body")?.into_bytes(),
            },
            "timeout" => ApiReply::Timeout,
            "network" => ApiReply::NetworkError(m.string("message")?),
            _ => return Err(ShapeError("kind")),
        })
    };
    read(&mut m).map_err(shape("reply"))
}

/// `{ok: false, result}` for failures the SDK returns, `{ok: false, error}` for ones it throws.
fn refresh_failure(failure: &RefreshFailure) -> Value {
    match (failure.to_sdk_json(), failure) {
        (Some(result), _) => json!({ "ok": false, "result": result }),
        (None, RefreshFailure::Unexpected(error)) => json!({ "ok": false, "error": error }),
        (None, _) => {
            json!({ "ok": false, "error": { "name": "Error", "message": failure.to_string() } })
        }
    }
}

/// `CookieSession.refresh()`, first half: the request to send, or the SDK's failure result.
#[wasm_bindgen(js_name = planRefresh)]
pub fn plan_refresh(
    cookie: Option<String>,
    password: JsValue,
    now_ms: f64,
    base_url: String,
    client_id: String,
    api_key: Option<String>,
    organization_id: Option<String>,
) -> Result<JsValue, JsError> {
    let set = passwords(password)?;
    let client = ClientConfig {
        base_url,
        client_id,
        api_key,
    };
    match refresh::plan_refresh(
        cookie.as_deref(),
        &set,
        millis(now_ms),
        &client,
        organization_id.as_deref(),
    ) {
        Ok(plan) => {
            let request = describe(&plan.request)?;
            let out = js_sys::Object::new();
            js_sys::Reflect::set(&out, &"ok".into(), &true.into())
                .map_err(|_| JsError::new("reflect"))?;
            js_sys::Reflect::set(&out, &"request".into(), &request)
                .map_err(|_| JsError::new("reflect"))?;
            Ok(out.into())
        }
        Err(failure) => to_js(&refresh_failure(&failure)),
    }
}

/// `CookieSession.refresh()`, second half: the SDK result for the reply, sealing the new
/// session with `password` (the new one when rotating).
#[wasm_bindgen(js_name = completeRefresh)]
pub fn complete_refresh(
    reply_value: JsValue,
    password: JsValue,
    random: &[u8],
) -> Result<JsValue, JsError> {
    let set = passwords(password)?;
    let out =
        match refresh::complete_refresh(&reply(reply_value)?, &set, &randomness(random)?, None) {
            Ok(refreshed) => {
                json!({ "ok": true, "result": refreshed.to_sdk_json(), "sealed": refreshed.sealed })
            }
            Err(failure) => refresh_failure(&failure),
        };
    to_js(&out)
}

/// The reply of a code, password or magic-auth exchange: the SDK's camelCase response (with
/// `sealedSession` when `password` is given), or the error the SDK throws.
#[wasm_bindgen(js_name = completeAuthentication)]
pub fn complete_authentication(
    reply_value: JsValue,
    password: JsValue,
    random: &[u8],
) -> Result<JsValue, JsError> {
    let seal_with = if password.is_undefined() || password.is_null() {
        None
    } else {
        Some(passwords(password)?)
    };
    let out = match refresh::classify_authenticate_reply(&reply(reply_value)?) {
        Ok(response) => {
            let mut camel = sdk_authentication_response(&response);
            if let Some(set) = seal_with {
                let session = SessionCookieData::from_authentication_response(&response);
                let sealed =
                    cookie::seal_json(&session.into_json(), &set, &randomness(random)?, None);
                camel.insert("sealedSession".into(), sealed.into());
            }
            json!({ "ok": true, "result": camel })
        }
        Err(RefreshFailure::Unexpected(error)) => json!({ "ok": false, "error": error }),
        Err(RefreshFailure::Failed { reason, error, .. }) => {
            let error = error.map(|e| serde_json::to_value(e).unwrap_or(Value::Null));
            json!({ "ok": false, "error": error.unwrap_or_else(|| json!({ "name": "OauthException", "message": reason.as_str(), "code": reason.as_str() })) })
        }
    };
    to_js(&out)
}
