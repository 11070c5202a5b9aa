//! Test support for the sign-in commands: a fake WorkOS (a scripted HTTP/1.1 server on a
//! loopback port that answers in order and records every request), a temporary
//! `XDG_CONFIG_HOME`, and unsigned JWTs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// One scripted answer.
pub enum Reply {
    Json(u16, Value),
    /// Close the connection without answering (a network failure).
    Drop,
}

pub struct Recorded {
    pub at: Instant,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

pub struct FakeWorkos {
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl FakeWorkos {
    pub fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let reply = script.next();
                serve(stream, reply, &recorded);
            }
        });
        Self { base_url, requests }
    }

    pub fn requests(&self) -> std::sync::MutexGuard<'_, Vec<Recorded>> {
        self.requests.lock().unwrap()
    }
}

pub fn serve(stream: TcpStream, reply: Option<Reply>, recorded: &Mutex<Vec<Recorded>>) {
    let at = Instant::now();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(0, |(_, value)| value.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    recorded.lock().unwrap().push(Recorded {
        at,
        path,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let (status, body) = match reply {
        Some(Reply::Json(status, body)) => (status, body),
        Some(Reply::Drop) => return,
        None => (
            500,
            json!({ "message": "the test script has no more replies" }),
        ),
    };
    let body = body.to_string();
    let response = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = reader.into_inner();
    stream.write_all(response.as_bytes()).unwrap();
    stream.flush().unwrap();
}

/// A temporary `XDG_CONFIG_HOME`, deleted on drop.
pub struct ConfigHome(pub PathBuf);

impl ConfigHome {
    pub fn new(name: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "workos-edge-cli-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn dir(&self) -> PathBuf {
        self.0.join("workos-edge")
    }

    pub fn file(&self) -> PathBuf {
        self.dir().join("credentials.json")
    }

    pub fn read(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.file()).unwrap()).unwrap()
    }

    pub fn write(&self, value: &Value) {
        std::fs::create_dir_all(self.dir()).unwrap();
        std::fs::write(self.file(), value.to_string()).unwrap();
        std::fs::set_permissions(self.file(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_workos-edge"))
            .args(args)
            .env("XDG_CONFIG_HOME", &self.0)
            .env("HOME", &self.0)
            .env_remove("WORKOS_CLIENT_ID")
            .env_remove("WORKOS_API_BASE_URL")
            .output()
            .unwrap()
    }
}

impl Drop for ConfigHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// An unsigned-in-practice JWT (the CLI reads `exp` without verifying).
pub fn jwt(subject: &str, expires_in: i64) -> String {
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": "test" });
    let payload = json!({
        "sub": subject,
        "sid": "session_test",
        "iat": now(),
        "exp": now() + expires_in,
    });
    format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes())
    )
}
