//! The cookie commands (`unseal`, `seal`, `authenticate`, `inspect`): each reads a cookie or
//! JSON on stdin, so values never land in shell history or `ps` output. Errors are `Err(message)`
//! and exit 2 (usage or configuration); a cookie that does not open exits 1.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use serde_json::Value;
use workos_edge_core::authenticate::authenticate as authenticate_cookie;
use workos_edge_core::cookie;
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::jwt::{Jwks, RustRsaVerifier, VerifyOptions};
use workos_edge_core::PasswordSet;

#[derive(Args)]
pub struct PasswordArgs {
    /// Cookie password, or `ID=SECRET` (repeatable) for an iron-session password map.
    /// Defaults to the WORKOS_COOKIE_PASSWORD environment variable.
    #[arg(long = "password", value_name = "SECRET|ID=SECRET")]
    pub passwords: Vec<String>,
}

impl PasswordArgs {
    fn resolve(&self) -> Result<PasswordSet, String> {
        let values = if self.passwords.is_empty() {
            match std::env::var("WORKOS_COOKIE_PASSWORD") {
                Ok(value) if !value.is_empty() => vec![value],
                _ => {
                    return Err(
                        "no cookie password: pass --password or set WORKOS_COOKIE_PASSWORD".into(),
                    )
                }
            }
        } else {
            self.passwords.clone()
        };
        let entries: Vec<Option<(String, String)>> =
            values.iter().map(|v| split_map_entry(v)).collect();
        let result = match (values.as_slice(), entries.as_slice()) {
            ([single], [None]) => PasswordSet::single(single.as_str()),
            (_, entries) if entries.iter().all(Option::is_some) => {
                PasswordSet::map(entries.iter().flatten().cloned())
            }
            _ => {
                return Err(
                    "with several passwords, each must be ID=SECRET with a numeric ID".into(),
                )
            }
        };
        result.map_err(|e| format!("cookie password: {e}"))
    }
}

/// `12=secret` is a map entry; anything else (even with `=` inside) is a plain secret.
fn split_map_entry(value: &str) -> Option<(String, String)> {
    let (id, secret) = value.split_once('=')?;
    let numeric = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    (numeric && !secret.is_empty()).then(|| (id.to_owned(), secret.to_owned()))
}

/// `unseal`: cookie on stdin -> the session JSON inside it.
pub fn unseal(passwords: PasswordArgs, now: Option<u64>) -> Result<ExitCode, String> {
    let passwords = passwords.resolve()?;
    let cookie = read_stdin_trimmed()?;
    if cookie.is_empty() {
        eprintln!("no_session_cookie_provided");
        return Ok(ExitCode::from(1));
    }
    match cookie::unseal_json(&cookie, &passwords, now_ms(now)?) {
        Ok(value) => print_json(&value).map(|()| ExitCode::SUCCESS),
        Err(error) => {
            eprintln!("invalid_session_cookie: {error}");
            Ok(ExitCode::from(1))
        }
    }
}

/// `seal`: JSON on stdin -> a cookie value.
pub fn seal(passwords: PasswordArgs, ttl: Option<u64>) -> Result<ExitCode, String> {
    let passwords = passwords.resolve()?;
    let input = read_stdin_trimmed()?;
    let value: Value =
        serde_json::from_str(&input).map_err(|e| format!("stdin is not JSON: {e}"))?;
    let expiration = ttl
        .filter(|&t| t > 0)
        .map(|t| now_ms(None).map(|now| now + t * 1000))
        .transpose()?;
    let sealed = cookie::seal_json(&value, &passwords, &random_for_seal()?, expiration);
    println!("{sealed}");
    Ok(ExitCode::SUCCESS)
}

/// The options of `authenticate` besides the passwords.
pub struct AuthenticateOptions {
    /// JWKS file.
    pub jwks: String,
    /// Clock override, Unix seconds.
    pub now: Option<u64>,
    /// Leeway on `exp`/`nbf`, seconds.
    pub leeway: u64,
    /// Accepted issuers (empty: any).
    pub issuer: Vec<String>,
}

/// `authenticate`: cookie on stdin -> the SDK's `authenticate()` result (exit 0 either way).
pub fn authenticate(
    passwords: PasswordArgs,
    options: AuthenticateOptions,
) -> Result<ExitCode, String> {
    let AuthenticateOptions {
        jwks,
        now,
        leeway,
        issuer,
    } = options;
    let passwords = passwords.resolve()?;
    let jwks = load_jwks(&jwks)?;
    let cookie = read_stdin_trimmed()?;
    let options = VerifyOptions {
        leeway_seconds: leeway,
        issuers: issuer,
    };
    let result = authenticate_cookie(
        Some(&cookie),
        &passwords,
        &jwks,
        &RustRsaVerifier,
        now_ms(now)?,
        &options,
    );
    let json = match &result {
        Ok(session) => session.to_sdk_json(),
        Err(failure) => {
            eprintln!("{}: {failure}", failure.reason());
            failure.to_sdk_json()
        }
    };
    print_json(&json).map(|()| ExitCode::SUCCESS)
}

/// `inspect`: cookie on stdin -> what can be seen without the password.
pub fn inspect(name: &str) -> Result<ExitCode, String> {
    let cookie = read_stdin_trimmed()?;
    let inspection = cookie::inspect(name, &cookie);
    let json = serde_json::to_value(&inspection).map_err(|e| e.to_string())?;
    print_json(&json).map(|()| ExitCode::SUCCESS)
}

fn read_stdin_trimmed() -> Result<String, String> {
    let mut input = String::new();
    io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(input.trim().to_owned())
}

fn print_json(value: &Value) -> Result<(), String> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, value).map_err(|e| e.to_string())?;
    writeln!(out).map_err(|e| e.to_string())
}

fn now_ms(now_seconds: Option<u64>) -> Result<u64, String> {
    match now_seconds {
        Some(seconds) => seconds
            .checked_mul(1000)
            .ok_or_else(|| "--now is out of range".to_owned()),
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .map_err(|_| "the system clock is before 1970".to_owned()),
    }
}

fn random_for_seal() -> Result<SealRandomness, String> {
    let mut bytes = [0u8; 80];
    getrandom::getrandom(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(SealRandomness::from_bytes(bytes))
}

fn load_jwks(path: &str) -> Result<Jwks, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let value: Value =
        serde_json::from_slice(&text).map_err(|e| format!("{path} is not JSON: {e}"))?;
    let set = if value.get("keys").is_some() {
        value
    } else {
        value.get("jwks").cloned().unwrap_or(Value::Null)
    };
    serde_json::from_value(set).map_err(|e| format!("{path} holds no JWKS: {e}"))
}

#[cfg(test)]
mod tests {
    use super::split_map_entry;

    #[test]
    fn only_numeric_ids_make_map_entries() {
        assert_eq!(
            split_map_entry("2=secret"),
            Some(("2".into(), "secret".into()))
        );
        assert_eq!(split_map_entry("abc=def"), None);
        assert_eq!(split_map_entry("=x"), None);
        assert_eq!(split_map_entry("plain"), None);
    }
}
