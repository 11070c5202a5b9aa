//! `token`, `whoami` and `logout`: what to do with the sign-in `login` saved.

use std::io::Write;
use std::path::Path;

use serde_json::json;
use workos_edge_core::api::{
    error_detail, printable, ApiErrorBody, ApiReply, AuthenticateGrant, AuthenticationResponse,
};
use workos_edge_core::jwt::decode_unverified;

use crate::credentials_file::{self, unix_now, Credentials, RefreshLock};
use crate::http::{check_base_url, Http};
use crate::{ClientArgs, Failure};

const SIGN_IN_EXPIRED: &str = "your sign-in has expired; run `workos-edge login`";

/// Prints the access token, refreshed first when it expires within `min_validity` seconds.
pub fn token(client: &ClientArgs, min_validity: u64) -> Result<(), Failure> {
    let path = credentials_file::credentials_path()?;
    let credentials = load_signed_in(&path)?;
    if valid_for(&credentials.access_token, min_validity) {
        return print_token(&credentials.access_token);
    }

    let _lock = RefreshLock::acquire(&path)?;
    // Another `token` may have refreshed while this one waited for the lock.
    let credentials = load_signed_in(&path)?;
    if valid_for(&credentials.access_token, min_validity) {
        return print_token(&credentials.access_token);
    }
    let client_id = client
        .client_id()
        .unwrap_or(&credentials.client_id)
        .trim()
        .to_owned();
    let base_url = check_base_url(client.api_base_url().unwrap_or(&credentials.api_base_url))?;
    let grant = AuthenticateGrant::RefreshToken {
        client_id: client_id.clone(),
        client_secret: None,
        refresh_token: credentials.refresh_token.clone(),
        organization_id: None,
        ip_address: None,
        user_agent: None,
    };
    let reply = Http::new().send(&grant.to_request(&base_url, None));
    let response = refreshed(&reply)?;
    let refreshed = Credentials::from_authentication(response, base_url, client_id);
    credentials_file::save(&path, &refreshed)?;
    if !valid_for(&refreshed.access_token, min_validity) {
        eprintln!(
            "workos-edge: warning: the new access token is valid for less than --min-validity \
             ({min_validity} s)"
        );
    }
    print_token(&refreshed.access_token)
}

/// The tokens from a refresh reply, or why not.
fn refreshed(reply: &ApiReply) -> Result<AuthenticationResponse, Failure> {
    match reply {
        ApiReply::Response { status, body, .. } if (200..300).contains(status) => {
            AuthenticationResponse::from_json(body).map_err(|_| {
                Failure::error(format!(
                    "the refresh reply (HTTP {status}) is not what WorkOS sends"
                ))
            })
        }
        ApiReply::Response { status, body, .. } => {
            let error: ApiErrorBody = serde_json::from_slice(body).unwrap_or_default();
            let invalid_grant =
                [error.error.as_deref(), error.code.as_deref()].contains(&Some("invalid_grant"));
            if invalid_grant {
                Err(Failure::signed_out(SIGN_IN_EXPIRED))
            } else {
                Err(Failure::error(format!(
                    "WorkOS refused to refresh the sign-in (HTTP {status}{})",
                    error_detail(body)
                )))
            }
        }
        ApiReply::Timeout => Err(Failure::error(
            "cannot refresh the sign-in: WorkOS did not answer in time",
        )),
        ApiReply::NetworkError(e) => Err(Failure::error(format!(
            "cannot refresh the sign-in: {}",
            printable(e)
        ))),
    }
}

/// Whether the token's `exp` is more than `min_validity` seconds away. A token without a
/// readable `exp` is treated as expiring (a refresh will replace it).
fn valid_for(access_token: &str, min_validity: u64) -> bool {
    let Some(expires_at) = decode_unverified(access_token)
        .ok()
        .and_then(|token| token.expires_at)
    else {
        return false;
    };
    let now = i64::try_from(unix_now()).unwrap_or(i64::MAX);
    let min_validity = i64::try_from(min_validity).unwrap_or(i64::MAX);
    expires_at.saturating_sub(now) > min_validity
}

fn print_token(token: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{token}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::error(format!("cannot write the token: {e}")))
}

/// Shows who is signed in, without tokens.
pub fn whoami(client: &ClientArgs, as_json: bool) -> Result<(), Failure> {
    let path = credentials_file::credentials_path()?;
    let credentials = load_signed_in(&path)?;
    warn_if_other_client(client, &credentials);
    let expires_at = decode_unverified(&credentials.access_token)
        .ok()
        .and_then(|token| token.expires_at);
    if as_json {
        let value = json!({
            "user": credentials.user,
            "organization_id": credentials.organization_id,
            "client_id": credentials.client_id,
            "api_base_url": credentials.api_base_url,
            "access_token_expires_at": expires_at,
            "saved_at": credentials.saved_at,
        });
        println!("{value}");
        return Ok(());
    }
    let user = &credentials.user;
    let name = user
        .name
        .clone()
        .or_else(|| {
            let parts: Vec<&str> = [user.first_name.as_deref(), user.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .map(|name| format!("{} ", printable(&name)))
        .unwrap_or_default();
    println!("user:          {name}<{}>", printable(&user.email));
    println!("user id:       {}", printable(&user.id));
    println!(
        "organization:  {}",
        credentials
            .organization_id
            .as_deref()
            .map_or_else(|| "none".to_owned(), printable)
    );
    println!("client id:     {}", printable(&credentials.client_id));
    println!("api:           {}", printable(&credentials.api_base_url));
    let status = match expires_at {
        Some(at) => {
            let left = at.saturating_sub(i64::try_from(unix_now()).unwrap_or(i64::MAX));
            if left > 0 {
                format!(
                    "expires in {} (refreshed by `workos-edge token`)",
                    duration(left)
                )
            } else {
                format!(
                    "expired {} ago (refreshed by `workos-edge token`)",
                    duration(-left)
                )
            }
        }
        None => "expiry unknown".to_owned(),
    };
    println!("access token:  {status}");
    Ok(())
}

fn duration(seconds: i64) -> String {
    match seconds {
        ..=119 => format!("{seconds} s"),
        120..=7199 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

fn warn_if_other_client(client: &ClientArgs, credentials: &Credentials) {
    if let Some(id) = client
        .client_id()
        .filter(|id| id.trim() != credentials.client_id)
    {
        eprintln!(
            "workos-edge: note: signed in with client {}, not {}",
            printable(&credentials.client_id),
            printable(id)
        );
    }
    let saved = credentials.api_base_url.trim_end_matches('/');
    if let Some(url) = client
        .api_base_url()
        .filter(|url| url.trim().trim_end_matches('/') != saved)
    {
        eprintln!(
            "workos-edge: note: signed in at {}, not {}",
            printable(saved),
            printable(url)
        );
    }
}

/// Deletes the credentials file. `--client-id` and `--api-base-url` are accepted for symmetry:
/// a public client cannot revoke the session, so nothing is sent to WorkOS.
pub fn logout(_client: &ClientArgs) -> Result<(), Failure> {
    let path = credentials_file::credentials_path()?;
    if credentials_file::remove(&path)? {
        eprintln!("Signed out: deleted {}", path.display());
    } else {
        eprintln!("Not signed in (no {}); nothing to do", path.display());
    }
    Ok(())
}

fn load_signed_in(path: &Path) -> Result<Credentials, Failure> {
    credentials_file::load(path)?.ok_or_else(|| {
        Failure::signed_out(format!(
            "not signed in (no {}); run `workos-edge login`",
            path.display()
        ))
    })
}
