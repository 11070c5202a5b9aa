//! `workos-edge`: look inside, make and check `wos-session` cookies from the command line, and
//! sign in to WorkOS from a terminal (the OAuth device flow) to get access tokens for scripts.
//!
//! Cookie commands read the cookie (or JSON) on stdin, so values never land in shell history or
//! `ps` output. Secrets come from `--password` or `WORKOS_COOKIE_PASSWORD` and are never printed.
//! Tokens are printed only by `token`, on stdout.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod cookie_commands;
mod credentials_file;
mod http;
mod login;
mod session_commands;

use cookie_commands::{AuthenticateOptions, PasswordArgs};

/// Success.
const EXIT_OK: u8 = 0;
/// Any other failure (network, server error, unreadable file).
const EXIT_ERROR: u8 = 1;
/// Bad arguments or configuration.
const EXIT_USAGE: u8 = 2;
/// Not signed in, or the sign-in expired (refresh refused).
const EXIT_SIGNED_OUT: u8 = 3;
/// The user denied the sign-in request.
const EXIT_DENIED: u8 = 4;
/// The sign-in code expired before it was approved.
const EXIT_CODE_EXPIRED: u8 = 5;

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  error (cookie does not open; network or WorkOS failure)
  2  usage or configuration error
  3  not signed in, or the sign-in has expired (run `workos-edge login`)
  4  login: the sign-in request was denied
  5  login: the code expired before it was approved";

const CLIENT_HELP: &str = "\
Exit codes:
  0  success
  1  error (network, WorkOS refused, unreadable credentials file)
  2  usage or configuration error
  3  not signed in, or the sign-in has expired (run `workos-edge login`)
  4  login: the sign-in request was denied
  5  login: the code expired before it was approved

Credentials: $XDG_CONFIG_HOME/workos-edge/credentials.json
(default ~/.config/workos-edge/credentials.json), mode 0600.";

#[derive(Parser)]
#[command(
    name = "workos-edge",
    version,
    about = "Seal, unseal, authenticate and inspect WorkOS wos-session cookies; sign in to WorkOS \
             from a terminal",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cookie on stdin -> the session JSON inside it on stdout.
    Unseal {
        #[command(flatten)]
        passwords: PasswordArgs,
        /// Evaluate seal expiry at this time (Unix seconds) instead of now.
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<u64>,
    },
    /// JSON on stdin -> a cookie value (`Fe26.2*...~2`) on stdout.
    Seal {
        #[command(flatten)]
        passwords: PasswordArgs,
        /// Make the seal expire after this many seconds (default: never, as the SDK).
        #[arg(long, value_name = "SECONDS")]
        ttl: Option<u64>,
    },
    /// Cookie on stdin -> the SDK's `authenticate()` result as JSON (exit 0 either way).
    Authenticate {
        #[command(flatten)]
        passwords: PasswordArgs,
        /// JWKS file: a key set, or any JSON object with a `jwks` member.
        #[arg(long, value_name = "FILE")]
        jwks: String,
        /// Check times at this moment (Unix seconds) instead of now.
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<u64>,
        /// Seconds of clock skew tolerated on `exp` and `nbf` (default 0, as the SDK).
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        leeway: u64,
        /// Accept only tokens from this issuer (repeatable; default: issuer not checked).
        #[arg(long, value_name = "ISS")]
        issuer: Vec<String>,
    },
    /// Cookie on stdin -> what can be seen without the password (parts, size, id, expiry).
    Inspect {
        /// Cookie name, to check `name=value` against the browser's 4096-byte limit.
        #[arg(long, default_value = "wos-session")]
        name: String,
    },
    /// Sign in without a browser on this machine (OAuth device flow, public client): shows a URL
    /// and a code to approve from any browser, then saves the tokens.
    #[command(after_help = CLIENT_HELP)]
    Login {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Print the access token (only it) on stdout, refreshing it first if it expires soon:
    /// `curl -H "Authorization: Bearer $(workos-edge token)" ...`
    #[command(after_help = CLIENT_HELP)]
    Token {
        #[command(flatten)]
        client: ClientArgs,
        /// Refresh when the token expires within this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        min_validity: u64,
    },
    /// Show who is signed in (user email and id, organization). No tokens.
    #[command(after_help = CLIENT_HELP)]
    Whoami {
        #[command(flatten)]
        client: ClientArgs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Forget the sign-in: delete the credentials file (the WorkOS session itself lives on until
    /// it expires or is revoked).
    #[command(after_help = CLIENT_HELP)]
    Logout {
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// Where to sign in: the options shared by `login`, `token`, `whoami` and `logout`.
#[derive(Args, Clone, Default)]
struct ClientArgs {
    /// WorkOS client id (`client_...`). Required by `login`; the other commands default to the
    /// one saved at login.
    #[arg(long, env = "WORKOS_CLIENT_ID", value_name = "CLIENT_ID")]
    client_id: Option<String>,
    /// WorkOS API base URL. `login` defaults to https://api.workos.com; the other commands to
    /// the one saved at login. Plain http:// is accepted for localhost only.
    #[arg(long, env = "WORKOS_API_BASE_URL", value_name = "URL")]
    api_base_url: Option<String>,
}

impl ClientArgs {
    fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref().filter(|id| !id.trim().is_empty())
    }

    fn api_base_url(&self) -> Option<&str> {
        self.api_base_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
    }
}

/// Why a sign-in command stopped: the exit code and a message for stderr (never a token).
#[derive(Debug)]
struct Failure {
    exit: u8,
    message: String,
}

impl Failure {
    fn new(exit: u8, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }

    fn error(message: impl Into<String>) -> Self {
        Self::new(EXIT_ERROR, message)
    }

    fn usage(message: impl Into<String>) -> Self {
        Self::new(EXIT_USAGE, message)
    }

    fn signed_out(message: impl Into<String>) -> Self {
        Self::new(EXIT_SIGNED_OUT, message)
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Unseal { passwords, now } => cookie_commands::unseal(passwords, now),
        Command::Seal { passwords, ttl } => cookie_commands::seal(passwords, ttl),
        Command::Authenticate {
            passwords,
            jwks,
            now,
            leeway,
            issuer,
        } => cookie_commands::authenticate(
            passwords,
            AuthenticateOptions {
                jwks,
                now,
                leeway,
                issuer,
            },
        ),
        Command::Inspect { name } => cookie_commands::inspect(&name),
        Command::Login { client } => return finish(login::login(&client)),
        Command::Token {
            client,
            min_validity,
        } => return finish(session_commands::token(&client, min_validity)),
        Command::Whoami { client, json } => return finish(session_commands::whoami(&client, json)),
        Command::Logout { client } => return finish(session_commands::logout(&client)),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("workos-edge: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(failure) => {
            eprintln!("workos-edge: {}", failure.message);
            ExitCode::from(failure.exit)
        }
    }
}
