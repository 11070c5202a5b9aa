//! The sign-in `login` saves: `$XDG_CONFIG_HOME/workos-edge/credentials.json` (or
//! `~/.config/...`), in a 0700 directory, mode 0600, always replaced atomically (temp file in the
//! same directory, fsync, rename) so a reader never sees half a file and the tokens are never
//! readable by others, not even for a moment.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use workos_edge_core::api::{AuthenticationResponse, UserResponse};

use crate::Failure;

/// Directory under the configuration home.
const APP_DIR: &str = "workos-edge";
/// File name inside it.
const FILE_NAME: &str = "credentials.json";
/// Lock file held while a refresh is in flight (refresh tokens are single use).
const LOCK_NAME: &str = "credentials.json.lock";
/// A lock older than this was left by a killed process (a refresh takes at most the HTTP
/// timeout).
const STALE_LOCK: Duration = Duration::from_secs(30);
/// How long to wait for another process's refresh.
const LOCK_WAIT: Duration = Duration::from_secs(40);

/// What `login` saved. `Debug` hides the tokens.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    /// The WorkOS access token (a JWT).
    pub access_token: String,
    /// The single-use refresh token.
    pub refresh_token: String,
    /// The user object as the API returned it.
    pub user: UserResponse,
    /// The organization the session is scoped to.
    pub organization_id: Option<String>,
    /// The API the tokens come from (refreshes go there).
    pub api_base_url: String,
    /// The client id the tokens were issued to.
    pub client_id: String,
    /// When this file was written, Unix seconds.
    pub saved_at: u64,
}

impl Credentials {
    /// What to store after WorkOS signed the user in or refreshed the tokens, now.
    pub fn from_authentication(
        response: AuthenticationResponse,
        api_base_url: String,
        client_id: String,
    ) -> Self {
        Self {
            access_token: response.access_token,
            refresh_token: response.refresh_token,
            user: response.user,
            organization_id: response.organization_id,
            api_base_url,
            client_id,
            saved_at: unix_now(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user.id)
            .field("organization_id", &self.organization_id)
            .field("api_base_url", &self.api_base_url)
            .field("client_id", &self.client_id)
            .field("saved_at", &self.saved_at)
            .finish_non_exhaustive()
    }
}

/// Unix seconds now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `$XDG_CONFIG_HOME/workos-edge/credentials.json`, or `$HOME/.config/...` when
/// `XDG_CONFIG_HOME` is unset, empty or relative (the XDG spec says to ignore relative paths).
pub fn credentials_path() -> Result<PathBuf, Failure> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let config_home = match non_empty("XDG_CONFIG_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => match non_empty("HOME") {
            Some(home) => PathBuf::from(home).join(".config"),
            None => {
                return Err(Failure::usage(
                    "cannot find the configuration directory: set HOME or XDG_CONFIG_HOME",
                ))
            }
        },
    };
    Ok(config_home.join(APP_DIR).join(FILE_NAME))
}

/// Reads the file; `Ok(None)` when there is none (not signed in).
pub fn load(path: &Path) -> Result<Option<Credentials>, Failure> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::error(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    warn_if_readable_by_others(path);
    serde_json::from_slice(&bytes).map(Some).map_err(|_| {
        Failure::error(format!(
            "{} is damaged; run `workos-edge login` to sign in again",
            path.display()
        ))
    })
}

/// Replaces the file atomically. The directory is created 0700 and the temp file is created
/// 0600 before anything is written to it.
pub fn save(path: &Path, credentials: &Credentials) -> Result<(), Failure> {
    let fail = |what: &str, e: io::Error| Failure::error(format!("cannot {what}: {e}"));
    let dir = parent(path)?;
    create_private_dir(dir).map_err(|e| fail(&format!("create {}", dir.display()), e))?;
    let mut json = serde_json::to_vec_pretty(credentials)
        .map_err(|e| Failure::error(format!("cannot encode the credentials: {e}")))?;
    json.push(b'\n');

    let temp = dir.join(format!(
        ".{FILE_NAME}.{}.{}.tmp",
        std::process::id(),
        nonce()
    ));
    let written = write_private(&temp, &json).and_then(|()| fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(fail(&format!("write {}", path.display()), e));
    }
    // Make the rename itself durable; not every filesystem lets a directory be synced.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Deletes the file. `Ok(false)` when there was none.
pub fn remove(path: &Path) -> Result<bool, Failure> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Failure::error(format!(
            "cannot delete {}: {e}",
            path.display()
        ))),
    }
}

/// Held while refreshing, so that two `token` calls never spend the same single-use refresh
/// token. Released (the lock file deleted) on drop.
pub struct RefreshLock {
    path: PathBuf,
}

impl RefreshLock {
    /// Waits for any other refresh to finish, then takes the lock. A lock left by a killed
    /// process is taken over once it is [`STALE_LOCK`] old.
    pub fn acquire(credentials: &Path) -> Result<Self, Failure> {
        let dir = parent(credentials)?;
        let path = dir.join(LOCK_NAME);
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match create_private(&path) {
                Ok(_) => return Ok(Self { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|modified| modified.elapsed().ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if Instant::now() > deadline {
                        return Err(Failure::error(format!(
                            "another workos-edge is refreshing the sign-in (delete {} if none is \
                             running)",
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => {
                    return Err(Failure::error(format!(
                        "cannot create {}: {e}",
                        path.display()
                    )))
                }
            }
        }
    }
}

impl Drop for RefreshLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn parent(path: &Path) -> Result<&Path, Failure> {
    path.parent()
        .ok_or_else(|| Failure::usage(format!("{} has no directory", path.display())))
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_private(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A new file, owner read/write only from the moment it exists.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates the directory (and missing parents) 0700. An existing directory of ours that
/// others can enter is tightened to 0700.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir)?;
        let metadata = fs::metadata(dir)?;
        if metadata.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = fs::metadata(path) {
        if metadata.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "workos-edge: warning: {} is readable by other users; it should be mode 0600",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// A random suffix for temp files (the pid alone repeats across containers).
fn nonce() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return format!("{:x}", unix_now());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
