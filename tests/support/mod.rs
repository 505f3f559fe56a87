//! A Discord stand-in for end-to-end tests: REST under `/api/v10` on one
//! loopback port, the gateway websocket on another, and the real `faqbot`
//! binary connected to both. Every request the bot makes is recorded; a
//! route the stand-in does not know is answered 404 and counted as a failure.

#![allow(dead_code)] // each test file uses part of the harness

pub mod schema;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const BOT_ID: u64 = 900_000_000_000_000_002;
pub const GUILD_ID: u64 = 900_000_000_000_000_003;
pub const CHANNEL_ID: u64 = 900_000_000_000_000_004;
pub const ALERT_CHANNEL_ID: u64 = 900_000_000_000_000_005;
pub const MEMBER_ID: u64 = 900_000_000_000_000_006;
pub const STAFF_ROLE_ID: u64 = 900_000_000_000_000_007;
/// Manage Server, as Discord sends member permissions: a decimal string.
pub const MANAGE_GUILD: &str = "32";

/// How long any single wait may take before the test fails with a message.
pub const WAIT: Duration = Duration::from_secs(60);

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path after `/api/v10`, without the query.
    pub path: String,
    pub body: Value,
    /// The status the stand-in answered with.
    pub status: u16,
    /// Files uploaded in a `multipart/form-data` body, whose JSON (the
    /// `payload_json` part) is `body`; empty for a JSON body.
    pub files: Vec<Upload>,
}

/// One file part of a multipart request, as Discord receives attachments.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field, `files[N]` for a message attachment.
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Recorded {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A failure the stand-in's REST answers a write (POST, PUT, PATCH,
/// DELETE) with instead of doing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// 500 Internal Server Error.
    ServerError,
    /// 429 Too Many Requests with `retry-after` in seconds (Discord sends fractions).
    RateLimited { retry_after: f64 },
}

#[derive(Default)]
struct Faults {
    /// Answered to the next writes, one each.
    queued: VecDeque<Fault>,
    /// Every write fails with this until then.
    outage: Option<(Instant, Fault)>,
}

impl Faults {
    fn next(&mut self) -> Option<Fault> {
        if let Some(f) = self.queued.pop_front() {
            return Some(f);
        }
        match self.outage {
            Some((until, f)) if Instant::now() < until => Some(f),
            _ => None,
        }
    }
}

/// What the stand-in tells the bot at `GET /gateway/bot`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The recommended number of shards.
    pub shards: u32,
    /// Point the bot at a gateway address where nothing listens, as if
    /// Discord's gateway could not be reached.
    pub gateway_unreachable: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            shards: 1,
            gateway_unreachable: false,
        }
    }
}

enum Outgoing {
    Text(String),
    /// Close with this code, as Discord does when it drops a session.
    Close(u16),
    /// Cut the TCP connection without a closing handshake (a network failure).
    Cut,
}

struct Connection {
    id: usize,
    /// The shard it identified as, if it has.
    shard: Option<u64>,
    tx: mpsc::UnboundedSender<Outgoing>,
}

#[derive(Default)]
struct Gateway {
    /// Each shard's session sequence number, as Discord keeps one per session.
    seqs: std::collections::HashMap<u64, u64>,
    /// The newest connection's id.
    current: Option<usize>,
    /// The open connections.
    open: Vec<Connection>,
    connections: usize,
    identifies: Vec<Value>,
    resumes: usize,
}

impl Gateway {
    /// The next sequence number on `shard`'s session.
    fn next_seq(&mut self, shard: u64) -> u64 {
        let seq = self.seqs.entry(shard).or_default();
        *seq += 1;
        *seq
    }

    fn connection(&self, id: usize) -> Option<&Connection> {
        self.open.iter().find(|c| c.id == id)
    }

    /// Sends `payload` as the next dispatch on connection `id`.
    fn send_dispatch(&mut self, id: usize, event: &str, data: Value) {
        let shard = self
            .connection(id)
            .expect("the gateway connection is open")
            .shard
            .unwrap_or(0);
        let seq = self.next_seq(shard);
        let payload = json!({"op": 0, "s": seq, "t": event, "d": data}).to_string();
        self.connection(id)
            .unwrap()
            .tx
            .send(Outgoing::Text(payload))
            .expect("the gateway connection is open");
    }

    /// Sends `outgoing` on the newest connection and forgets it as current.
    fn take_current(&mut self, outgoing: Outgoing) {
        if let Some(conn) = self.current.take().and_then(|id| self.connection(id)) {
            let _ = conn.tx.send(outgoing);
        }
    }
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Recorded>>,
    failures: Mutex<Vec<String>>,
    gateway: Mutex<Gateway>,
    faults: Mutex<Faults>,
    ws_url: String,
    shards: u32,
    next_id: Mutex<u64>,
}

impl State {
    fn id(&self) -> u64 {
        let mut n = self.next_id.lock().unwrap();
        *n += 1;
        910_000_000_000_000_000 + *n
    }
}

/// The running stand-in.
pub struct FakeDiscord {
    pub base: String,
    state: Arc<State>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        FakeDiscord::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> FakeDiscord {
        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the REST port");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the gateway port");
        let http_addr: SocketAddr = http.local_addr().unwrap();
        let ws_addr: SocketAddr = ws.local_addr().unwrap();
        let ws_url = if options.gateway_unreachable {
            // A port just released: connections to it are refused.
            let gone = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a spare port");
            let addr = gone.local_addr().unwrap();
            drop(gone);
            format!("ws://{addr}")
        } else {
            format!("ws://{ws_addr}")
        };
        let state = Arc::new(State {
            ws_url,
            shards: options.shards,
            ..State::default()
        });

        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = http.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| rest(s.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                tokio::spawn(gateway(s.clone(), stream));
            }
        });
        FakeDiscord {
            base: format!("http://{http_addr}"),
            state,
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many requests so far used this method and path.
    pub fn count(&self, method: &str, path: &str) -> usize {
        let requests = self.state.requests.lock().unwrap();
        requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }

    /// How many requests so far satisfy `pred` (without copying them all).
    pub fn count_where(&self, pred: impl Fn(&Recorded) -> bool) -> usize {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| pred(r))
            .count()
    }

    /// Requests to routes the stand-in does not know.
    pub fn failures(&self) -> Vec<String> {
        self.state.failures.lock().unwrap().clone()
    }

    pub fn identifies(&self) -> Vec<Value> {
        self.state.gateway.lock().unwrap().identifies.clone()
    }

    pub fn resumes(&self) -> usize {
        self.state.gateway.lock().unwrap().resumes
    }

    pub fn connections(&self) -> usize {
        self.state.gateway.lock().unwrap().connections
    }

    /// Waits for the first request after the first `skip` that satisfies `pred`.
    pub async fn wait_request(
        &self,
        what: &str,
        skip: usize,
        pred: impl Fn(&Recorded) -> bool,
    ) -> Recorded {
        let found = wait_for(what, || {
            self.requests().into_iter().skip(skip).find(|r| pred(r))
        })
        .await;
        assert!(
            self.failures().is_empty(),
            "the bot called unknown routes: {:?}",
            self.failures()
        );
        found
    }

    /// Waits for the response to interaction `id`.
    pub async fn wait_callback(&self, id: u64) -> Value {
        let path = format!("/interactions/{id}/");
        let r = self
            .wait_request(&format!("the response to interaction {id}"), 0, |r| {
                r.method == "POST" && r.path.starts_with(&path) && r.path.ends_with("/callback")
            })
            .await;
        r.body
    }

    /// Sends a dispatch event on the current gateway connection.
    pub fn dispatch(&self, event: &str, data: Value) {
        let mut g = self.state.gateway.lock().unwrap();
        let id = g.current.expect("the bot is connected to the gateway");
        g.send_dispatch(id, event, data);
    }

    /// Sends a dispatch event on the connection that identified as `shard`.
    pub fn dispatch_to_shard(&self, shard: u64, event: &str, data: Value) {
        let mut g = self.state.gateway.lock().unwrap();
        let id = g
            .open
            .iter()
            .find(|c| c.shard == Some(shard))
            .unwrap_or_else(|| panic!("no connection identified as shard {shard}"))
            .id;
        g.send_dispatch(id, event, data);
    }

    /// Closes the current gateway connection the way Discord drops a session.
    pub fn drop_connection(&self) {
        self.close_connection(4000);
    }

    /// Closes the current gateway connection with `code` (4000 unknown error
    /// may be resumed; 4009 session timed out may not; 4004 authentication
    /// failed is fatal).
    pub fn close_connection(&self, code: u16) {
        self.state
            .gateway
            .lock()
            .unwrap()
            .take_current(Outgoing::Close(code));
    }

    /// Sends op 9 Invalid Session on the current connection.
    pub fn invalid_session(&self, resumable: bool) {
        let g = self.state.gateway.lock().unwrap();
        if let Some(conn) = g.current.and_then(|id| g.connection(id)) {
            let payload = json!({"op": 9, "d": resumable}).to_string();
            let _ = conn.tx.send(Outgoing::Text(payload));
        }
    }

    /// Answers the next writes with these faults, one each.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.state.faults.lock().unwrap().queued.extend(faults);
    }

    /// Answers every write with `fault` for `how_long` from now.
    pub fn outage(&self, how_long: Duration, fault: Fault) {
        self.state.faults.lock().unwrap().outage = Some((Instant::now() + how_long, fault));
    }

    /// Cuts the current gateway connection with no closing handshake.
    pub fn cut_connection(&self) {
        self.state
            .gateway
            .lock()
            .unwrap()
            .take_current(Outgoing::Cut);
    }

    /// Waits until the bot has identified and registered its commands: it is ready for events.
    pub async fn wait_ready(&self) -> Recorded {
        wait_for("the bot to identify on the gateway", || {
            (!self.identifies().is_empty()).then_some(())
        })
        .await;
        self.wait_request("the slash commands to be registered", 0, |r| {
            r.method == "PUT" && r.path.ends_with("/commands")
        })
        .await
    }
}

/// Polls `check` until it returns something, or fails the test after [`WAIT`].
pub async fn wait_for<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    wait_within(WAIT, what, check).await
}

/// [`wait_for`] with a deadline of its own, for a test whose work is long
/// by design (hundreds of questions through the debug build's encoder).
pub async fn wait_within<T>(wait: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(t) = check() {
            return t;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {wait:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": null, "avatar": null, "bot": bot})
}

/// One of the bot's messages, as a component interaction carries it.
pub fn bot_message(id: u64) -> Value {
    message(id, &CHANNEL_ID.to_string(), "")
}

/// A message as Discord returns it from REST.
fn message(id: u64, channel: &str, content: &str) -> Value {
    json!({
        "id": id.to_string(), "channel_id": channel, "author": user(BOT_ID, "faqbot", true),
        "content": content, "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": false, "type": 0, "components": []
    })
}

fn reply(status: StatusCode, body: Option<Value>) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    let body = match body {
        Some(v) => {
            builder = builder.header("content-type", "application/json");
            Bytes::from(v.to_string())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(body)).unwrap()
}

async fn rest(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().clone();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let path = req
        .uri()
        .path()
        .strip_prefix("/api/v10")
        .unwrap_or(req.uri().path())
        .to_owned();
    let bytes = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let (body, files) = match multipart_boundary(&content_type) {
        Some(boundary) => multipart(&bytes, &boundary),
        None => (
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Vec::new(),
        ),
    };
    let fault = if method == Method::GET {
        None
    } else {
        state.faults.lock().unwrap().next()
    };
    let response = match fault {
        Some(fault) => faulted(fault),
        None => route(&state, &method, &path, &body),
    };
    state.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path,
        body,
        status: response.status().as_u16(),
        files,
    });
    Ok(response)
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';').map(str::trim);
    if !params.next()?.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
}

/// A multipart body as Discord reads it (RFC 7578): the `payload_json`
/// part is the request's JSON, every part with a file name is an upload.
/// A malformed body gives `Null` and no files, so its validation fails.
fn multipart(bytes: &[u8], boundary: &str) -> (Value, Vec<Upload>) {
    let delimiter = format!("--{boundary}");
    let mut payload = Value::Null;
    let mut files = Vec::new();
    let mut rest = match find(bytes, delimiter.as_bytes()) {
        Some(at) => &bytes[at + delimiter.len()..],
        None => return (Value::Null, files),
    };
    // Each part: CRLF, headers, a blank line, content, CRLF, delimiter.
    while let Some(part) = rest.strip_prefix(b"\r\n") {
        let Some(end) = find(part, format!("\r\n{delimiter}").as_bytes()) else {
            return (Value::Null, Vec::new());
        };
        let Some(split) = find(&part[..end], b"\r\n\r\n") else {
            return (Value::Null, Vec::new());
        };
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..end];
        let param = |name: &str| {
            // " name=" is not found inside " filename=".
            let key = format!(" {name}=\"");
            let at = headers.find(&key)? + key.len();
            Some(headers[at..].split('"').next()?.to_owned())
        };
        let field = param("name").unwrap_or_default();
        match param("filename") {
            Some(filename) => files.push(Upload {
                field,
                filename,
                content_type: headers
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-type:")
                            .map(|v| v.trim().to_owned())
                    })
                    .unwrap_or_default(),
                bytes: content.to_vec(),
            }),
            None if field == "payload_json" => {
                payload = serde_json::from_slice(content).unwrap_or(Value::Null);
            }
            None => {}
        }
        rest = &part[end + 2 + delimiter.len()..];
    }
    (payload, files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Discord's answers for a server error and a rate limit.
fn faulted(fault: Fault) -> Response<Full<Bytes>> {
    match fault {
        Fault::ServerError => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(json!({"message": "500: Internal Server Error", "code": 0})),
        ),
        Fault::RateLimited { retry_after } => {
            let body = json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false});
            Response::builder()
                .status(StatusCode::TOO_MANY_REQUESTS)
                .header("content-type", "application/json")
                .header("retry-after", retry_after.ceil().to_string())
                .header("x-ratelimit-scope", "user")
                .body(Full::new(Bytes::from(body.to_string())))
                .unwrap()
        }
    }
}

fn route(state: &State, method: &Method, path: &str, body: &Value) -> Response<Full<Bytes>> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["gateway"] | ["gateway", "bot"]) => reply(
            StatusCode::OK,
            Some(json!({
                "url": state.ws_url, "shards": state.shards,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            })),
        ),
        (&Method::GET, ["users", "@me"]) => {
            reply(StatusCode::OK, Some(user(BOT_ID, "faqbot", true)))
        }
        (&Method::GET, ["oauth2", "applications", "@me"]) => reply(
            StatusCode::OK,
            Some(json!({
                "id": APP_ID.to_string(), "name": "faqbot", "icon": null, "description": "", "bot_public": false,
                "bot_require_code_grant": false, "verify_key": "", "flags": 0, "owner": user(MEMBER_ID, "owner", false)
            })),
        ),
        (
            &Method::PUT,
            ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"],
        ) => {
            let guild = segments.get(3).copied();
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    c["id"] = json!(state.id().to_string());
                    c["application_id"] = json!(APP_ID.to_string());
                    c["version"] = json!("1");
                    if c.get("type").is_none() {
                        c["type"] = json!(1);
                    }
                    if let Some(g) = guild {
                        c["guild_id"] = json!(g);
                    }
                    c
                })
                .collect();
            reply(StatusCode::OK, Some(Value::Array(commands)))
        }
        (&Method::POST, ["interactions", _, _, "callback"]) => reply(StatusCode::NO_CONTENT, None),
        // Every channel is a text channel in GUILD_ID (the bot looks up the alert channel's server).
        (&Method::GET, ["channels", id]) => reply(
            StatusCode::OK,
            Some(json!({
                "id": id, "type": 0, "guild_id": GUILD_ID.to_string(), "name": "channel",
                "position": 0, "permission_overwrites": [], "nsfw": false
            })),
        ),
        (&Method::GET | &Method::PATCH, ["webhooks", _, _, "messages", _]) => {
            let content = body["content"].as_str().unwrap_or("");
            reply(
                StatusCode::OK,
                Some(message(state.id(), &CHANNEL_ID.to_string(), content)),
            )
        }
        (&Method::POST, ["webhooks", _, _]) | (&Method::POST, ["channels", _, "messages"]) => {
            let channel = if segments[0] == "channels" {
                segments[1].to_owned()
            } else {
                CHANNEL_ID.to_string()
            };
            let content = body["content"].as_str().unwrap_or("");
            reply(StatusCode::OK, Some(message(state.id(), &channel, content)))
        }
        _ => {
            state
                .failures
                .lock()
                .unwrap()
                .push(format!("{method} {path}"));
            reply(
                StatusCode::NOT_FOUND,
                Some(json!({"message": "404: Not Found", "code": 0})),
            )
        }
    }
}

async fn gateway(state: Arc<State>, stream: tokio::net::TcpStream) {
    // Without this the first event after READY waits out the bot's delayed ACK (~40 ms).
    let _ = stream.set_nodelay(true);
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = {
        let mut g = state.gateway.lock().unwrap();
        g.connections += 1;
        let id = g.connections;
        g.current = Some(id);
        g.open.push(Connection {
            id,
            shard: None,
            tx,
        });
        id
    };
    serve_gateway(&state, id, ws, &mut rx).await;
    state.gateway.lock().unwrap().open.retain(|c| c.id != id);
}

async fn serve_gateway(
    state: &State,
    id: usize,
    ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    rx: &mut mpsc::UnboundedReceiver<Outgoing>,
) {
    let (mut write, mut read) = ws.split();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}}).to_string();
    if write.send(Message::Text(hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = read.next() => {
                let Some(Ok(Message::Text(text))) = incoming else {
                    match incoming {
                        Some(Ok(_)) => continue,
                        _ => break,
                    }
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                let answer = {
                    let mut g = state.gateway.lock().unwrap();
                    match payload["op"].as_u64() {
                        Some(1) => Some(json!({"op": 11})),
                        Some(2) => {
                            g.identifies.push(payload["d"].clone());
                            let n = g.identifies.len();
                            let shard = payload["d"]["shard"].clone();
                            let shard = if shard.is_array() { shard } else { json!([0, 1]) };
                            let number = shard[0].as_u64().unwrap_or(0);
                            if let Some(conn) = g.open.iter_mut().find(|c| c.id == id) {
                                conn.shard = Some(number);
                            }
                            // A new session starts counting again.
                            g.seqs.insert(number, 1);
                            Some(json!({"op": 0, "s": 1, "t": "READY", "d": {
                                "v": 10,
                                "user": user(BOT_ID, "faqbot", true),
                                "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
                                "session_id": format!("session-{n}"),
                                "resume_gateway_url": state.ws_url,
                                "shard": shard,
                                "application": {"id": APP_ID.to_string(), "flags": 0}
                            }}))
                        }
                        Some(6) => {
                            g.resumes += 1;
                            // The session named "session-N" is the Nth identify's.
                            let number = payload["d"]["session_id"]
                                .as_str()
                                .and_then(|s| s.strip_prefix("session-"))
                                .and_then(|n| n.parse::<usize>().ok())
                                .and_then(|n| g.identifies.get(n.checked_sub(1)?))
                                .and_then(|d| d["shard"][0].as_u64())
                                .unwrap_or(0);
                            if let Some(conn) = g.open.iter_mut().find(|c| c.id == id) {
                                conn.shard = Some(number);
                            }
                            let seq = g.next_seq(number);
                            Some(json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}}))
                        }
                        _ => None,
                    }
                };
                if let Some(answer) = answer {
                    if write.send(Message::Text(answer.to_string())).await.is_err() {
                        break;
                    }
                }
            }
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Text(text)) => {
                    if write.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code)) => {
                    let frame = CloseFrame { code: CloseCode::from(code), reason: "session dropped by the test".into() };
                    let _ = write.send(Message::Close(Some(frame))).await;
                    break;
                }
                Some(Outgoing::Cut) | None => break,
            },
        }
    }
}

/// The real bot, killed when dropped.
pub struct Bot {
    pub child: tokio::process::Child,
}

impl Bot {
    /// Starts `faqbot run` against the stand-in with the FAQ at `faq` and extra settings.
    pub fn spawn(fake: &FakeDiscord, faq: &Path, env: &[(&str, String)]) -> Bot {
        let mut cmd = Bot::command(fake, faq, env);
        Bot {
            child: cmd.spawn().expect("start the faqbot binary"),
        }
    }

    /// As [`Bot::spawn`], with the bot's log (stderr) written to `log`.
    pub fn spawn_logged(fake: &FakeDiscord, faq: &Path, env: &[(&str, String)], log: &Path) -> Bot {
        let mut cmd = Bot::command(fake, faq, env);
        cmd.stderr(std::fs::File::create(log).expect("create the bot's log file"));
        Bot {
            child: cmd.spawn().expect("start the faqbot binary"),
        }
    }

    /// The bot's resident memory now, in KiB (Linux), or `None` if unknown.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Sends SIGTERM, as a service manager or `docker stop` does.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("the bot is running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {pid}");
    }

    fn command(fake: &FakeDiscord, faq: &Path, env: &[(&str, String)]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_faqbot"));
        cmd.arg("--faq").arg(faq).arg("run");
        // Every setting the bot reads, so none leaks in from the developer's shell.
        for var in faqbot::discord::config::SETTINGS
            .iter()
            .chain(&["FAQBOT_FAQ", "FAQBOT_CONFIG"])
        {
            cmd.env_remove(var);
        }
        cmd.env("DISCORD_TOKEN", "fake")
            .env("DISCORD_API_BASE", &fake.base)
            .env("RUST_LOG", "info,serenity=warn,poise=warn")
            // No log file left in the working tree; a test that checks the log sets its own.
            .env("FAQBOT_DB", ":memory:")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }
}

/// Starts a stand-in and the bot, and waits until the bot is ready.
pub async fn start(faq: &std::path::Path, env: &[(&str, String)]) -> (FakeDiscord, Bot, Recorded) {
    let fake = FakeDiscord::start().await;
    let mut bot = Bot::spawn(&fake, faq, env);
    let commands = tokio::select! {
        commands = fake.wait_ready() => commands,
        status = bot.child.wait() => panic!("the bot exited ({status:?}) before it was ready; its stderr is above"),
    };
    (fake, bot, commands)
}

pub fn shipped_faq() -> std::path::PathBuf {
    concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml").into()
}

/// The entry the engine answers `question` with; fails if it would not answer.
pub fn expected_entry(question: &str) -> faqbot::faq::Entry {
    let engine = engine();
    match engine.answer(question) {
        faqbot::Reply::Answer { entry, .. } => entry.clone(),
        other => panic!(
            "precondition: the engine no longer answers {question:?} (it says {})",
            other.verdict()
        ),
    }
}

/// Sends a slash command and returns the recorded response request.
pub async fn slash(
    fake: &FakeDiscord,
    id: u64,
    name: &str,
    options: Value,
    member: Value,
) -> Recorded {
    fake.dispatch(
        "INTERACTION_CREATE",
        interaction(id, 2, command(name, options), member),
    );
    let path = format!("/interactions/{id}/token-{id}/callback");
    let r = fake
        .wait_request(&format!("the response to /{name} ({id})"), 0, |r| {
            r.method == "POST" && r.path == path
        })
        .await;
    if r.files.is_empty() {
        schema::assert_valid(&r.method, &r.path, &r.body);
    } else {
        schema::assert_valid_multipart(&r.method, &r.path, &r.body, &r.files);
    }
    r
}

/// Events in one burst: interactions from many members, and mentions from
/// many members spread over a few channels.
/// Events per burst. Every answer runs the sentence encoder, about 20 ms a
/// question in the debug build the tests use (2 ms … 10 ms in release), so
/// the tests' bursts are 800 events; `cargo bench --bench discord` runs the
/// same code in release.
pub const BURST_INTERACTIONS: u64 = 400;
pub const BURST_MESSAGES: u64 = 400;
pub const BURST_CHANNELS: u64 = 5;
/// Messages that read as a complication, among the mentions: never held back.
pub const BURST_URGENT: u64 = 10;
/// The channel cooldown (see src/discord/cooldowns.rs): replies per channel per minute.
pub const CHANNEL_BURST: usize = 4;
/// Dispatches one burst of 5,000 events, numbered from `base`, and waits
/// until every interaction is answered.
pub async fn burst(fake: &FakeDiscord, base: u64) {
    let questions = [
        "how many sesions do i need",
        "does microneedling hurt",
        "how long is the downtime",
        "qwzx blorf vindaloo",
    ];
    for i in 0..BURST_INTERACTIONS.max(BURST_MESSAGES) {
        let q = questions[(i % questions.len() as u64) as usize];
        if i < BURST_INTERACTIONS {
            let id = base + i;
            let options = json!([{"name": "question", "type": 3, "value": q}]);
            fake.dispatch(
                "INTERACTION_CREATE",
                interaction(
                    id,
                    2,
                    command("faq", options),
                    member(base + 1_000_000 + i, "0", &[]),
                ),
            );
        }
        if i < BURST_MESSAGES {
            let channel = CHANNEL_ID + 1000 + i % BURST_CHANNELS;
            let content = if i < BURST_URGENT {
                format!("<@{BOT_ID}> I had microneedling 3 days ago and now I have a fever and pus")
            } else {
                format!("<@{BOT_ID}> {q}")
            };
            fake.dispatch(
                "MESSAGE_CREATE",
                message_from(
                    base + 2_000_000 + i,
                    base + 3_000_000 + i,
                    channel,
                    &content,
                    true,
                    false,
                ),
            );
        }
    }
    wait_for("every interaction of the burst to be answered", || {
        let answered = fake.count_where(|r| {
            r.ok()
                && r.path.ends_with("/callback")
                && r.path
                    .split('/')
                    .nth(2)
                    .and_then(|id| id.parse::<u64>().ok())
                    .is_some_and(|id| id >= base && id < base + BURST_INTERACTIONS)
        });
        (answered == BURST_INTERACTIONS as usize).then_some(())
    })
    .await;
}

/// A temporary copy of the shipped FAQ, so a test can change it.
pub fn faq_copy() -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"),
        file.path(),
    )
    .expect("copy faq.toml");
    file
}

/// The shipped FAQ's engine, to know what the bot should answer.
pub fn engine() -> faqbot::Engine {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/faq.toml"))
        .expect("read faq.toml");
    faqbot::Engine::from_toml(&text).expect("faq.toml is valid")
}

/// A guild member; `permissions` is the decimal permission set.
pub fn member(id: u64, permissions: &str, roles: &[u64]) -> Value {
    json!({
        "user": user(id, "member", false),
        "roles": roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "joined_at": "2025-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "pending": false,
        "permissions": permissions
    })
}

/// An INTERACTION_CREATE payload of `kind` (2 command, 3 component, 4 autocomplete).
pub fn interaction(id: u64, kind: u8, data: Value, member: Value) -> Value {
    json!({
        "id": id.to_string(), "application_id": APP_ID.to_string(), "type": kind, "data": data,
        "guild_id": GUILD_ID.to_string(), "channel_id": CHANNEL_ID.to_string(), "member": member,
        "token": format!("token-{id}"), "version": 1, "app_permissions": "2147483647",
        "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID.to_string()}, "context": 0,
        "attachment_size_limit": 26214400
    })
}

/// A slash command invocation's data.
pub fn command(name: &str, options: Value) -> Value {
    json!({"id": "910000000000009999", "name": name, "type": 1, "guild_id": GUILD_ID.to_string(), "options": options})
}

/// A MESSAGE_CREATE payload from [`MEMBER_ID`].
pub fn member_message(
    id: u64,
    channel: u64,
    content: &str,
    mentions_bot: bool,
    mention_everyone: bool,
) -> Value {
    message_from(
        MEMBER_ID,
        id,
        channel,
        content,
        mentions_bot,
        mention_everyone,
    )
}

/// A MESSAGE_CREATE payload from member `author`.
pub fn message_from(
    author: u64,
    id: u64,
    channel: u64,
    content: &str,
    mentions_bot: bool,
    mention_everyone: bool,
) -> Value {
    let mentions = if mentions_bot {
        vec![user(BOT_ID, "faqbot", true)]
    } else {
        Vec::new()
    };
    json!({
        "id": id.to_string(), "channel_id": channel.to_string(), "guild_id": GUILD_ID.to_string(),
        "author": user(author, "member", false),
        "member": {"roles": [], "joined_at": "2025-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0},
        "content": content, "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": mention_everyone, "mentions": mentions, "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 0, "components": []
    })
}

/// `payload` (an interaction or a message) as if sent in server `guild`.
pub fn in_guild(mut payload: Value, guild: u64) -> Value {
    payload["guild_id"] = json!(guild.to_string());
    if payload["data"]["guild_id"].is_string() {
        payload["data"]["guild_id"] = json!(guild.to_string());
    }
    payload
}
