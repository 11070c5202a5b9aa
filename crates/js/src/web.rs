//! URLs and cookies: the authorization and logout URLs, PKCE, `returnTo`, refresh keys and
//! `Set-Cookie` lines for the middleware.

use super::*;

/// `getAuthorizationUrl(options)`.
#[wasm_bindgen(js_name = authorizationUrl)]
pub fn authorization_url(base_url: &str, options: JsValue) -> Result<String, JsError> {
    let mut o =
        Members::of(json_from_js(options, "options")?, "options").map_err(shape("options"))?;
    let options = authorization_options(&mut o).map_err(shape("options"))?;
    urls::authorization_url(base_url, &options).map_err(|e| JsError::new(&e.to_string()))
}

/// The SDK's camelCase options of `getAuthorizationUrl`.
fn authorization_options(o: &mut Members) -> Result<AuthorizationUrlOptions, ShapeError> {
    // Query values are written as JavaScript's String() would; null/undefined are left out.
    let provider_query_params = o
        .optional_object("providerQueryParams")?
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::Null => None,
            Value::String(text) => Some((key, text)),
            other => Some((key, other.to_string())),
        })
        .collect();
    Ok(AuthorizationUrlOptions {
        client_id: o.string("clientId")?,
        redirect_uri: o.string("redirectUri")?,
        provider: o.optional_string("provider")?,
        connection_id: o.optional_string("connectionId")?,
        organization_id: o.optional_string("organizationId")?,
        login_hint: o.optional_string("loginHint")?,
        domain_hint: o.optional_string("domainHint")?,
        screen_hint: o
            .optional_string("screenHint")?
            .as_deref()
            .map(ScreenHint::parse),
        state: o.optional_string("state")?,
        code_challenge: o.optional_string("codeChallenge")?,
        code_challenge_method: o.optional_string("codeChallengeMethod")?,
        provider_scopes: o.optional_strings("providerScopes")?.unwrap_or_default(),
        provider_query_params,
        claim_nonce: o.optional_string("claimNonce")?,
        prompt: o.optional_string("prompt")?,
        invitation_token: o.optional_string("invitationToken")?,
        max_age: o.optional_u64("maxAge")?,
    })
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

fn cookie_attributes(
    value: JsValue,
) -> Result<workos_edge_core::web::cookies::CookieAttributes, JsError> {
    use workos_edge_core::web::cookies::{CookieAttributes, SameSite};
    // As the middleware passes them: `{path, domain?, maxAge?, sameSite, secure}`.
    let what = "cookie options";
    let mut o = Members::of(json_from_js(value, what)?, what).map_err(shape(what))?;
    let same_site = SameSite::parse(&o.string("sameSite").map_err(shape(what))?)
        .ok_or_else(|| JsError::new("cookieSameSite must be lax, strict or none"))?;
    Ok(CookieAttributes {
        path: o.string("path").map_err(shape(what))?,
        domain: o.optional_string("domain").map_err(shape(what))?,
        max_age: o.optional_u64("maxAge").map_err(shape(what))?,
        same_site,
        secure: o.bool("secure").map_err(shape(what))?,
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
