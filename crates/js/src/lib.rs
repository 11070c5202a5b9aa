//! wasm-bindgen bindings of `workos-edge-core` for the `workos-edge` npm package.
//!
//! Conversion only: every function turns JS values into core types, calls the core, and turns
//! the answer back. HTTP, WebCrypto, caches and the SDK-shaped classes live in `js/index.js`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use workos_edge_core::api::{ApiReply, ApiRequest, AuthenticateGrant};
use workos_edge_core::authenticate::{open_session, AuthenticateFailure, AuthenticatedSession};
use workos_edge_core::cookie::{self, CookieError};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::jwt::{self, Jwks, JwtError, PendingVerification, VerifyOptions};
use workos_edge_core::refresh::{self, ClientConfig, RefreshFailure};
use workos_edge_core::session::sdk_authentication_response;
use workos_edge_core::urls::{self, AuthorizationUrlOptions, Pkce, ScreenHint};
use workos_edge_core::{PasswordError, PasswordSet, SessionCookieData};

mod opening;

pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// A password error as the SDK words it (the secret is never part of the message).
fn password_error(error: PasswordError) -> JsError {
    match error {
        PasswordError::TooShort { .. } => {
            JsError::new("Password string too short (min 32 characters required)")
        }
        other => JsError::new(&other.to_string()),
    }
}

/// A string password, or an iron-session `{id: password}` map.
pub(crate) fn passwords(value: JsValue) -> Result<PasswordSet, JsError> {
    if let Some(secret) = value.as_string() {
        return PasswordSet::single(secret).map_err(password_error);
    }
    let map: serde_json::Map<String, Value> = from_js(value, "password")?;
    let entries = map
        .into_iter()
        .map(|(id, secret)| match secret {
            Value::String(secret) => Ok((id, secret)),
            _ => Err(JsError::new("password map values must be strings")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    PasswordSet::map(entries).map_err(password_error)
}

fn randomness(bytes: &[u8]) -> Result<SealRandomness, JsError> {
    let bytes: [u8; 80] = bytes
        .try_into()
        .map_err(|_| JsError::new("sealing needs 80 random bytes"))?;
    Ok(SealRandomness::from_bytes(bytes))
}

pub(crate) fn millis(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value as u64
    } else {
        0
    }
}

/// Checks a password (string or map) now, so configuration errors surface at construction.
#[wasm_bindgen(js_name = checkPassword)]
pub fn check_password(password: JsValue) -> Result<(), JsError> {
    passwords(password).map(|_| ())
}

/// A hex fingerprint of a password (string or map) to key caches with, so that no cache key
/// holds the secret itself.
#[wasm_bindgen(js_name = passwordFingerprint)]
pub fn password_fingerprint(password: JsValue) -> Result<String, JsError> {
    Ok(workos_edge_core::encoding::hex_lower(
        &passwords(password)?.fingerprint(),
    ))
}

/// Opens a `wos-session` value as `@workos-inc/node` does (`getSessionFromCookie`):
/// `{ok: true, value}` or `{ok: false, error}` with iron's message.
#[wasm_bindgen(js_name = unsealSession)]
pub fn unseal_session(cookie: &str, password: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    let set = passwords(password)?;
    to_js(&match cookie::unseal_json(cookie, &set, millis(now_ms)) {
        Ok(value) => json!({ "ok": true, "value": value }),
        Err(error) => json!({ "ok": false, "error": error.to_string() }),
    })
}

/// Opens a seal as iron-session 8's `unsealData` does; a seal that does not open is `{}`.
#[wasm_bindgen(js_name = unsealData)]
pub fn unseal_data(seal: &str, password: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    let set = passwords(password)?;
    match cookie::unseal_json_iron_session(seal, &set, millis(now_ms)) {
        Ok(value) => to_js(&value),
        Err(CookieError::MalformedJson) => Err(JsError::new("Failed parsing sealed object JSON")),
        Err(_) => to_js(&json!({})),
    }
}

/// Seals JSON-compatible data (`JSON.stringify` output inside) with the `~2` suffix.
/// `expiration_ms` is absolute; `undefined` never expires.
#[wasm_bindgen(js_name = sealData)]
pub fn seal_data(
    data: JsValue,
    password: JsValue,
    expiration_ms: Option<f64>,
    random: &[u8],
) -> Result<String, JsError> {
    let set = passwords(password)?;
    let value: Value = from_js(data, "data")?;
    Ok(cookie::seal_json(
        &value,
        &set,
        &randomness(random)?,
        expiration_ms.map(millis),
    ))
}

/// The first half of `authenticate()`: opened cookie and parsed token, waiting for the host's
/// signature check (or already decided).
#[wasm_bindgen]
pub struct Authentication {
    decided: Option<Value>,
    unknown_key_id: bool,
    access_token: Option<String>,
    pending: Option<(SessionCookieData, PendingVerification)>,
    now_seconds: i64,
    options: VerifyOptions,
}

fn failure(reason: &str) -> Value {
    json!({ "authenticated": false, "reason": reason })
}

#[wasm_bindgen]
impl Authentication {
    /// The SDK result when no signature check is needed (failures), else `undefined`.
    #[wasm_bindgen(getter)]
    pub fn result(&self) -> Result<JsValue, JsError> {
        match &self.decided {
            Some(value) => to_js(value),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The token names a `kid` the JWKS lacks: refetch the JWKS and begin again.
    #[wasm_bindgen(getter, js_name = unknownKeyId)]
    pub fn unknown_key_id(&self) -> bool {
        self.unknown_key_id
    }

    /// The access token (the cache key for verified tokens).
    #[wasm_bindgen(getter, js_name = accessToken)]
    pub fn access_token(&self) -> Option<String> {
        self.access_token.clone()
    }

    /// JWKs that may have signed the token.
    #[wasm_bindgen(getter, js_name = candidateKeys)]
    pub fn candidate_keys(&self) -> Result<JsValue, JsError> {
        let keys = self
            .pending
            .as_ref()
            .map(|(_, p)| p.candidate_keys().to_vec())
            .unwrap_or_default();
        to_js(&keys)
    }

    /// The bytes the signature covers.
    #[wasm_bindgen(getter, js_name = signedData)]
    pub fn signed_data(&self) -> Vec<u8> {
        self.pending
            .as_ref()
            .map(|(_, p)| p.signed_data().to_vec())
            .unwrap_or_default()
    }

    /// The signature bytes.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> Vec<u8> {
        self.pending
            .as_ref()
            .map(|(_, p)| p.signature().to_vec())
            .unwrap_or_default()
    }

    /// Completes with the host's verdict on the signature; returns the SDK result and, on
    /// success, the token's `exp` (for the verified-token cache) as `{result, expiresAt}`.
    pub fn finish(self, signature_valid: bool) -> Result<JsValue, JsError> {
        let Some((session, pending)) = self.pending else {
            return to_js(&json!({ "result": self.decided }));
        };
        let out = match pending.finish(signature_valid, self.now_seconds, &self.options) {
            Ok(token) => {
                let expires_at = token.expires_at;
                let session = AuthenticatedSession {
                    cookie: session,
                    token,
                };
                json!({ "result": session.to_sdk_json(), "expiresAt": expires_at })
            }
            Err(_) => json!({ "result": failure("invalid_jwt") }),
        };
        to_js(&out)
    }
}

/// A JWKS (`{keys: [...]}`) converted once, for every `authenticate()` until the next fetch.
#[wasm_bindgen]
pub struct KeySet {
    jwks: Jwks,
}

#[wasm_bindgen]
impl KeySet {
    /// Reads a JWKS document.
    #[wasm_bindgen(constructor)]
    pub fn new(jwks: JsValue) -> Result<KeySet, JsError> {
        Ok(Self {
            jwks: from_js(jwks, "jwks")?,
        })
    }
}

/// Begins `authenticate()` on a cookie value with a JWKS.
#[wasm_bindgen(js_name = beginAuthenticate)]
pub fn begin_authenticate(
    cookie: Option<String>,
    password: JsValue,
    jwks: &KeySet,
    now_ms: f64,
    leeway_seconds: f64,
    issuers: Option<Vec<String>>,
) -> Result<Authentication, JsError> {
    let set = passwords(password)?;
    let opened = open_session(cookie.as_deref(), &set, millis(now_ms));
    begin_with(opened, jwks, now_ms, leeway_seconds, issuers)
}

/// The rest of `authenticate()` once the cookie is opened (or not): the token's checks up to
/// the signature, which the host verifies.
pub(crate) fn begin_with(
    opened: Result<SessionCookieData, AuthenticateFailure>,
    jwks: &KeySet,
    now_ms: f64,
    leeway_seconds: f64,
    issuers: Option<Vec<String>>,
) -> Result<Authentication, JsError> {
    let jwks = &jwks.jwks;
    let options = VerifyOptions {
        leeway_seconds: millis(leeway_seconds),
        issuers: issuers.unwrap_or_default(),
    };
    let mut auth = Authentication {
        decided: None,
        unknown_key_id: false,
        access_token: None,
        pending: None,
        now_seconds: (millis(now_ms) / 1000) as i64,
        options,
    };
    let session = match opened {
        Ok(session) => session,
        Err(e) => {
            auth.decided = Some(e.to_sdk_json());
            return Ok(auth);
        }
    };
    let token = session.access_token().unwrap_or_default().to_owned();
    match jwt::prepare(&token, jwks) {
        Ok(pending) => auth.pending = Some((session, pending)),
        Err(error) => {
            auth.unknown_key_id = matches!(error, JwtError::UnknownKeyId(_));
            auth.decided = Some(failure("invalid_jwt"));
        }
    }
    auth.access_token = Some(token);
    Ok(auth)
}

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
    let grant: AuthenticateGrant = from_js(grant, "grant")?;
    describe(&grant.to_request(base_url, api_key.as_deref()))
}

/// The reply of an API call, as the JS layer reports it.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Reply {
    Response {
        status: u16,
        #[serde(default, rename = "retryAfter")]
        retry_after: Option<String>,
        #[serde(default, rename = "requestId")]
        request_id: Option<String>,
        body: String,
    },
    Timeout,
    Network {
        message: String,
    },
}

fn reply(value: JsValue) -> Result<ApiReply, JsError> {
    Ok(match from_js::<Reply>(value, "reply")? {
        Reply::Response {
            status,
            retry_after,
            request_id,
            body,
        } => ApiReply::Response {
            status,
            retry_after,
            request_id,
            body: body.into_bytes(),
        },
        Reply::Timeout => ApiReply::Timeout,
        Reply::Network { message } => ApiReply::NetworkError(message),
    })
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

/// Options of `getAuthorizationUrl`, in the SDK's camelCase.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationOptions {
    client_id: String,
    redirect_uri: String,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    connection_id: Option<String>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    login_hint: Option<String>,
    #[serde(default)]
    domain_hint: Option<String>,
    #[serde(default)]
    screen_hint: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    code_challenge: Option<String>,
    #[serde(default)]
    code_challenge_method: Option<String>,
    #[serde(default)]
    provider_scopes: Option<Vec<String>>,
    #[serde(default)]
    provider_query_params: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    claim_nonce: Option<String>,
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    invitation_token: Option<String>,
    #[serde(default)]
    max_age: Option<u64>,
}

/// `getAuthorizationUrl(options)`.
#[wasm_bindgen(js_name = authorizationUrl)]
pub fn authorization_url(base_url: &str, options: JsValue) -> Result<String, JsError> {
    let o: AuthorizationOptions = from_js(options, "options")?;
    // Query values are written as JavaScript's String() would; null/undefined are left out.
    let provider_query_params = o
        .provider_query_params
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::Null => None,
            Value::String(text) => Some((key, text)),
            other => Some((key, other.to_string())),
        })
        .collect();
    let options = AuthorizationUrlOptions {
        client_id: o.client_id,
        redirect_uri: o.redirect_uri,
        provider: o.provider,
        connection_id: o.connection_id,
        organization_id: o.organization_id,
        login_hint: o.login_hint,
        domain_hint: o.domain_hint,
        screen_hint: o.screen_hint.as_deref().map(ScreenHint::parse),
        state: o.state,
        code_challenge: o.code_challenge,
        code_challenge_method: o.code_challenge_method,
        provider_scopes: o.provider_scopes.unwrap_or_default(),
        provider_query_params,
        claim_nonce: o.claim_nonce,
        prompt: o.prompt,
        invitation_token: o.invitation_token,
        max_age: o.max_age,
    };
    urls::authorization_url(base_url, &options).map_err(|e| JsError::new(&e.to_string()))
}

/// `getLogoutUrl({sessionId, returnTo})`.
#[wasm_bindgen(js_name = logoutUrl)]
pub fn logout_url(
    base_url: &str,
    session_id: &str,
    return_to: Option<String>,
) -> Result<String, JsError> {
    urls::logout_url(base_url, session_id, return_to.as_deref())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// A PKCE pair from 32 random bytes: `{codeVerifier, codeChallenge}`.
#[wasm_bindgen(js_name = pkcePair)]
pub fn pkce_pair(random: &[u8]) -> Result<JsValue, JsError> {
    let bytes: [u8; 32] = random
        .try_into()
        .map_err(|_| JsError::new("PKCE needs 32 random bytes"))?;
    let pkce = Pkce::from_random(bytes);
    to_js(&json!({ "codeVerifier": pkce.verifier, "codeChallenge": pkce.challenge }))
}

/// `returnTo` reduced to a path on our own origin (the Worker's rule), or `undefined`.
#[wasm_bindgen(js_name = safeReturnPath)]
pub fn safe_return_path(return_to: &str) -> Option<String> {
    workos_edge_core::web::safe_return_path(return_to)
}

/// The coalescing key of a refresh (refresh token and target organization) as hex: the same
/// key the Worker's coordinator uses, and never the token itself.
#[wasm_bindgen(js_name = refreshKey)]
pub fn refresh_key(refresh_token: &str, organization_id: Option<String>) -> String {
    workos_edge_core::encoding::hex_lower(&workos_edge_core::coalesce::refresh_key(
        refresh_token,
        organization_id.as_deref(),
    ))
}

/// The value of cookie `name` in a `Cookie` request header.
#[wasm_bindgen(js_name = cookieValue)]
pub fn cookie_value(cookie_header: &str, name: &str) -> Option<String> {
    workos_edge_core::web::cookies::cookie_value(cookie_header, name).map(str::to_owned)
}

/// Cookie attributes as the middleware passes them: `{path, domain?, maxAge?, sameSite, secure}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CookieOptions {
    path: String,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    max_age: Option<u64>,
    same_site: String,
    secure: bool,
}

fn cookie_attributes(
    value: JsValue,
) -> Result<workos_edge_core::web::cookies::CookieAttributes, JsError> {
    use workos_edge_core::web::cookies::{CookieAttributes, SameSite};
    let o: CookieOptions = from_js(value, "cookie options")?;
    let same_site = SameSite::parse(&o.same_site)
        .ok_or_else(|| JsError::new("cookieSameSite must be lax, strict or none"))?;
    Ok(CookieAttributes {
        path: o.path,
        domain: o.domain,
        max_age: o.max_age,
        same_site,
        secure: o.secure,
    })
}

/// Checks that browsers will keep cookie `name` with these attributes (`__Host-` and
/// `__Secure-` rules included); throws the reason otherwise.
#[wasm_bindgen(js_name = checkCookieName)]
pub fn check_cookie_name(name: &str, options: JsValue) -> Result<(), JsError> {
    cookie_attributes(options)?
        .check_name(name)
        .map_err(|e| JsError::new(&format!("cookie name {name:?} {e}")))
}

/// The `Set-Cookie` value setting `name=value`; throws when browsers would drop the line for
/// its length (over 4096 bytes).
#[wasm_bindgen(js_name = setCookie)]
pub fn set_cookie(name: &str, value: &str, options: JsValue) -> Result<String, JsError> {
    cookie_attributes(options)?
        .set_cookie_checked(name, value)
        .map_err(|length| {
            JsError::new(&format!(
                "Set-Cookie for {name} would be {length} bytes; browsers drop lines over 4096"
            ))
        })
}

/// The `Set-Cookie` value deleting `name`.
#[wasm_bindgen(js_name = clearCookie)]
pub fn clear_cookie(name: &str, options: JsValue) -> Result<String, JsError> {
    Ok(cookie_attributes(options)?.clear_cookie(name))
}
