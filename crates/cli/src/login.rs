//! `workos-edge login`: the OAuth 2.0 device authorization grant (RFC 8628) as a public client.
//! The core builds the requests and reads the replies; this module talks to the user, keeps time
//! and polls.

use std::thread::sleep;
use std::time::{Duration, Instant};

use workos_edge_core::api::{
    classify_device_poll, device_authorization_request, device_code_grant_request, is_transient,
    printable, AuthenticationResponse, DeviceAuthorization, DevicePoll, DEFAULT_API_BASE_URL,
    SLOW_DOWN_INCREMENT_SECONDS,
};

use crate::credentials_file::{self, Credentials};
use crate::http::{check_base_url, Http};
use crate::{ClientArgs, Failure, EXIT_CODE_EXPIRED, EXIT_DENIED};

/// Transport failures (no answer, 5xx, 429) tolerated in a row while polling.
const MAX_TRANSIENT_FAILURES: u32 = 3;

/// Runs the device flow and saves the tokens.
pub fn login(client: &ClientArgs) -> Result<(), Failure> {
    let client_id = client
        .client_id()
        .ok_or_else(|| Failure::usage("login needs --client-id or WORKOS_CLIENT_ID"))?
        .trim()
        .to_owned();
    let base_url = check_base_url(client.api_base_url().unwrap_or(DEFAULT_API_BASE_URL))?;
    // Fail on an unusable HOME now, not after the user has approved.
    let path = credentials_file::credentials_path()?;
    let http = Http::new();

    let started = Instant::now();
    let reply = http.send(&device_authorization_request(&base_url, &client_id));
    let authorization = DeviceAuthorization::from_reply(&reply).map_err(Failure::error)?;
    let deadline = started + Duration::from_secs(authorization.expires_in);
    show_instructions(&authorization);

    let response = poll(&http, &base_url, &client_id, &authorization, deadline)?;
    let credentials = Credentials::from_authentication(response, base_url, client_id);
    credentials_file::save(&path, &credentials)?;
    let organization = credentials
        .organization_id
        .as_deref()
        .map(|org| format!(", organization {}", printable(org)))
        .unwrap_or_default();
    eprintln!(
        "Signed in as {} ({}{organization}). Credentials saved to {}",
        printable(&credentials.user.email),
        printable(&credentials.user.id),
        path.display()
    );
    Ok(())
}

fn show_instructions(authorization: &DeviceAuthorization) {
    eprintln!("To sign in, open this page in a browser (on any device):");
    eprintln!();
    eprintln!("    {}", printable(&authorization.verification_uri));
    eprintln!();
    eprintln!(
        "and enter the code:  {}",
        printable(&authorization.user_code)
    );
    if let Some(complete) = &authorization.verification_uri_complete {
        eprintln!();
        eprintln!("Or open this link, which has the code filled in (check that the page shows");
        eprintln!("the same code):");
        eprintln!();
        eprintln!("    {}", printable(complete));
    }
    eprintln!();
    eprintln!(
        "Waiting for approval (the code expires in {})...",
        minutes(authorization.expires_in)
    );
}

fn minutes(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds / 60),
    }
}

/// Polls until the user approves, denies or the code expires. The first poll goes out at once
/// (as the WorkOS and GitHub CLIs do), the next ones every `interval` seconds.
fn poll(
    http: &Http,
    base_url: &str,
    client_id: &str,
    authorization: &DeviceAuthorization,
    deadline: Instant,
) -> Result<AuthenticationResponse, Failure> {
    let request = device_code_grant_request(base_url, client_id, &authorization.device_code);
    let mut interval = Duration::from_secs(authorization.poll_interval_seconds());
    let mut transient_failures = 0;
    loop {
        if Instant::now() >= deadline {
            return Err(code_expired());
        }
        let reply = http.send(&request);
        match classify_device_poll(&reply) {
            DevicePoll::Failed(message) if is_transient(&reply) => {
                transient_failures += 1;
                if transient_failures > MAX_TRANSIENT_FAILURES {
                    return Err(Failure::error(format!("giving up: {message}")));
                }
                eprintln!("workos-edge: {message}; retrying");
            }
            poll => {
                transient_failures = 0;
                match poll {
                    DevicePoll::Authenticated(response) => return Ok(*response),
                    DevicePoll::Pending => {}
                    DevicePoll::SlowDown => {
                        interval += Duration::from_secs(SLOW_DOWN_INCREMENT_SECONDS);
                    }
                    DevicePoll::Denied => {
                        return Err(Failure::new(
                            EXIT_DENIED,
                            "the sign-in request was denied in the browser",
                        ))
                    }
                    DevicePoll::Expired => return Err(code_expired()),
                    DevicePoll::Failed(message) => return Err(Failure::error(message)),
                }
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left < interval {
            sleep(left);
            return Err(code_expired());
        }
        sleep(interval);
    }
}

fn code_expired() -> Failure {
    Failure::new(
        EXIT_CODE_EXPIRED,
        "the code expired before it was approved; run `workos-edge login` again",
    )
}
