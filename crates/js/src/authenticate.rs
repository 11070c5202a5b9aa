//! `authenticate()`: the cookie opened and the token checked up to its signature, which the
//! host verifies (node:crypto or WebCrypto), then finished.

use super::*;

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

    /// JWKs that may have signed the token, as JSON text (`JSON.parse` builds the objects
    /// faster than a conversion across the boundary).
    #[wasm_bindgen(getter, js_name = candidateKeys)]
    pub fn candidate_keys(&self) -> String {
        let keys = self
            .pending
            .as_ref()
            .map(|(_, p)| p.candidate_keys())
            .unwrap_or_default();
        serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_owned())
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
    /// success, the token's `exp` (for the verified-token cache) as `{result, expiresAt}`, in
    /// JSON text.
    pub fn finish(self, signature_valid: bool) -> String {
        let Some((session, pending)) = self.pending else {
            return workos_edge_core::json::to_text(&json!({ "result": self.decided }));
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
        workos_edge_core::json::to_text(&out)
    }
}

impl Authentication {
    /// The parsed token waiting for its signature check, if it got that far.
    pub(crate) fn pending(&self) -> Option<&PendingVerification> {
        self.pending.as_ref().map(|(_, pending)| pending)
    }

    /// The access token, once the cookie opened.
    pub(crate) fn token(&self) -> Option<&str> {
        self.access_token.as_deref()
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
            jwks: Jwks::from_value(json_from_js(jwks, "jwks")?).map_err(shape("jwks"))?,
        })
    }

    /// How many keys the set holds (the positions `authenticateOpened` passes to its
    /// `verify` callback).
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.jwks.keys.len()
    }

    /// The key at `index` as JWK JSON text (for the host to import it once).
    #[wasm_bindgen(js_name = keyJson)]
    pub fn key_json(&self, index: usize) -> Option<String> {
        let key = self.jwks.keys.get(index)?;
        serde_json::to_string(key).ok()
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
