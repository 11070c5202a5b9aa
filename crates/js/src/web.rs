//! URLs and cookies: the authorization and logout URLs, PKCE, `returnTo`, refresh keys and
//! `Set-Cookie` lines for the middleware.

use super::*;

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
