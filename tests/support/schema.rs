//! Checks recorded request bodies against Discord's OpenAPI description
//! (`../shared/discord-api/openapi.json`), and against the limits Discord
//! enforces, in case the description is absent.
//!
//! The validator covers the JSON Schema keywords that description uses
//! for request bodies: `$ref`, `type`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`,
//! `minLength`/`maxLength`, `pattern`, `enum`, `const`,
//! `minimum`/`maximum` and `allOf`/`anyOf`/`oneOf`. Two leniencies, both
//! from the description's README: `oneOf` passes when any branch matches
//! (unknown fields are allowed, so branches overlap), and an integer may be
//! sent as a decimal string (permission bit sets). A third, from Discord's
//! upload guide: a snowflake may be a small integer (an attachment's id
//! in `attachments`, which names its `files[N]` part). Message `content` is
//! held to Discord's documented 2000 characters by [`check_limits`].
//!
//! Not the `jsonschema` crate: both leniencies break standard JSON Schema
//! (overlapping `oneOf` branches fail it), so the spec would need rewriting
//! before validating, and it brings about twenty crates (and, by default,
//! an HTTP client for remote `$ref`s) into every test build.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

fn spec_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/discord-api/openapi.json"
    ))
}

fn spec() -> Option<&'static Value> {
    static SPEC: OnceLock<Option<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(spec_path()).ok()?;
        Some(serde_json::from_str(&text).expect("openapi.json is JSON"))
    })
    .as_ref()
}

/// Whether Discord's description is there to validate against.
pub fn spec_available() -> bool {
    spec().is_some()
}

/// Validates `body`, sent as `method path`, against the matching operation's
/// request schema. Returns the problems found; prints a note and returns
/// none when the description is absent.
pub fn validate_request(method: &str, path: &str, body: &Value) -> Vec<String> {
    validate_media(method, path, "application/json", body)
}

/// As [`validate_request`], against the operation's schema for `media`.
fn validate_media(method: &str, path: &str, media: &str, body: &Value) -> Vec<String> {
    let Some(spec) = spec() else {
        eprintln!(
            "note: {} is absent; request bodies are checked for Discord's limits only",
            spec_path().display()
        );
        return Vec::new();
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Some(paths) = spec["paths"].as_object() else {
        return vec!["openapi.json has no paths".into()];
    };
    let template = paths.iter().find(|(template, _)| {
        let t: Vec<&str> = template.trim_matches('/').split('/').collect();
        t.len() == segments.len()
            && t.iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}')) || t == s)
    });
    let Some((template, item)) = template else {
        return vec![format!("no operation in openapi.json for {method} {path}")];
    };
    let op = &item[method.to_lowercase()];
    let schema = &op["requestBody"]["content"][media]["schema"];
    if schema.is_null() {
        return vec![format!(
            "{method} {template} takes no {media} body in openapi.json"
        )];
    }
    let mut problems = Vec::new();
    Validator { spec }.check(schema, body, "$", &mut problems);
    problems
}

struct Validator<'s> {
    spec: &'s Value,
}

impl Validator<'_> {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.trim_start_matches('#');
                let target = self
                    .spec
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("unresolvable $ref {r}"));
                self.resolve(target)
            }
            None => schema,
        }
    }

    fn matches(&self, schema: &Value, value: &Value) -> bool {
        let mut p = Vec::new();
        self.check(schema, value, "", &mut p);
        p.is_empty()
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let schema = self.resolve(schema);
        // Discord's upload guide numbers new attachments with integers
        // (`"attachments": [{"id": 0, ...}]`), as serenity sends them,
        // where the description has a snowflake string: the guide wins.
        if schema.get("format").and_then(Value::as_str) == Some("snowflake") && value.is_u64() {
            return;
        }
        if let Some(types) = schema.get("type") {
            let types: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !types.iter().any(|t| type_matches(t, value)) {
                problems.push(format!("{at}: expected {types:?}, got {value}"));
                return;
            }
        }
        if let Some(c) = schema.get("const") {
            if !same(c, value) {
                problems.push(format!("{at}: expected {c}, got {value}"));
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            if !value.is_null() && !options.iter().any(|o| same(o, value)) {
                problems.push(format!("{at}: {value} is not one of {options:?}"));
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, value, at, problems);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(any) = schema.get(key).and_then(Value::as_array) {
                if !any.iter().any(|s| self.matches(s, value)) {
                    // Report the closest branch's problems: the one with fewest.
                    let mut best: Option<Vec<String>> = None;
                    for s in any {
                        let mut p = Vec::new();
                        self.check(s, value, at, &mut p);
                        if best.as_ref().is_none_or(|b| p.len() < b.len()) {
                            best = Some(p);
                        }
                    }
                    problems.push(format!("{at}: matches no branch of {key}"));
                    problems.extend(best.unwrap_or_default());
                }
            }
        }
        match value {
            Value::String(s) => {
                let n = s.chars().count() as u64;
                if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                    if n > max {
                        problems.push(format!("{at}: {n} characters, at most {max} allowed"));
                    }
                }
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                    if n < min {
                        problems.push(format!("{at}: {n} characters, at least {min} required"));
                    }
                }
                if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                    if let Ok(re) = regex::Regex::new(pattern) {
                        if !re.is_match(s) {
                            problems.push(format!("{at}: {s:?} does not match {pattern}"));
                        }
                    }
                }
            }
            Value::Number(n) => {
                let n = n.as_f64().unwrap_or(0.0);
                if schema
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| n < m)
                    || schema
                        .get("maximum")
                        .and_then(Value::as_f64)
                        .is_some_and(|m| n > m)
                {
                    problems.push(format!("{at}: {n} is out of range"));
                }
            }
            Value::Array(items) => {
                let n = items.len() as u64;
                if schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| n > m)
                    || schema
                        .get("minItems")
                        .and_then(Value::as_u64)
                        .is_some_and(|m| n < m)
                {
                    problems.push(format!("{at}: {n} items is out of range"));
                }
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.check(item, v, &format!("{at}[{i}]"), problems);
                    }
                }
            }
            Value::Object(map) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                if let Some(required) = schema.get("required").and_then(Value::as_array) {
                    for r in required.iter().filter_map(Value::as_str) {
                        if !map.contains_key(r) {
                            problems.push(format!("{at}: missing required field {r}"));
                        }
                    }
                }
                for (k, v) in map {
                    match properties.and_then(|p| p.get(k)) {
                        Some(s) => self.check(s, v, &format!("{at}.{k}"), problems),
                        None => {
                            if let Some(extra) = schema.get("additionalProperties") {
                                if extra == &Value::Bool(false) {
                                    problems.push(format!("{at}: unknown field {k}"));
                                } else if extra.is_object() {
                                    self.check(extra, v, &format!("{at}.{k}"), problems);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        // Permission bit sets travel as decimal strings (see the description's README).
        // As in JSON Schema, a number with no fractional part is an integer
        // (poise sends integer options' bounds as `1.0`).
        "integer" => {
            v.is_i64()
                || v.is_u64()
                || v.as_f64().is_some_and(|f| f.fract() == 0.0)
                || v.as_str()
                    .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        }
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

/// Discord's documented limits, checked whatever the description says:
/// message content 2000, embed title 256, description 4096, field value
/// 1024, 25 fields, 5 rows of at most 5 components, custom id 100, button
/// label 80, autocomplete choices 25 with names and values of at most 100.
pub fn check_limits(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    let data = if body.get("data").is_some() {
        &body["data"]
    } else {
        body
    };
    let mut over = |what: &str, n: usize, max: usize| {
        if n > max {
            problems.push(format!("{what}: {n} > {max}"));
        }
    };
    over("content", len(&data["content"]), 2000);
    for e in data["embeds"].as_array().into_iter().flatten() {
        over("embed title", len(&e["title"]), 256);
        over("embed description", len(&e["description"]), 4096);
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        over("embed fields", fields.len(), 25);
        for f in &fields {
            over("field name", len(&f["name"]), 256);
            over("field value", len(&f["value"]), 1024);
        }
        over("footer", len(&e["footer"]["text"]), 2048);
    }
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    over("action rows", rows.len(), 5);
    for row in &rows {
        let items = row["components"].as_array().cloned().unwrap_or_default();
        over("components in a row", items.len(), 5);
        for c in &items {
            over("custom_id", len(&c["custom_id"]), 100);
            over("button label", len(&c["label"]), 80);
        }
    }
    let choices = data["choices"].as_array().cloned().unwrap_or_default();
    over("autocomplete choices", choices.len(), 25);
    for c in &choices {
        over("choice name", len(&c["name"]), 100);
        over("choice value", len(&c["value"]), 100);
    }
    problems
}

/// Both checks; panics with every problem found.
pub fn assert_valid(method: &str, path: &str, body: &Value) {
    let mut problems = validate_request(method, path, body);
    problems.extend(check_limits(body));
    assert!(
        problems.is_empty(),
        "{method} {path} is not what Discord accepts:\n{}\nbody: {body:#}",
        problems.join("\n")
    );
}

/// A `multipart/form-data` request with file uploads, as Discord takes
/// attachments: the form (the `payload_json` part's fields beside one
/// field per file) validates against the operation's multipart schema,
/// each file is a `files[N]` part with a file name, the payload's
/// `attachments` (in `data` for an interaction callback) name exactly
/// those N, and the JSON passes Discord's limits. Panics with every
/// problem found.
pub fn assert_valid_multipart(method: &str, path: &str, payload: &Value, files: &[super::Upload]) {
    let mut form = payload.as_object().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if !payload.is_object() {
        problems.push("no payload_json part holding a JSON object".to_owned());
    }
    let mut ids = Vec::new();
    for f in files {
        let id = f
            .field
            .strip_prefix("files[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<u64>().ok());
        match id {
            Some(id) => ids.push(id),
            None => problems.push(format!("file part {:?} is not named files[N]", f.field)),
        }
        if f.filename.is_empty() {
            problems.push(format!("file part {} has no file name", f.field));
        }
        form.insert(
            f.field.clone(),
            Value::String(format!("<{} bytes>", f.bytes.len())),
        );
    }
    problems.extend(validate_media(
        method,
        path,
        "multipart/form-data",
        &Value::Object(form),
    ));
    let data = if payload.get("data").is_some() {
        &payload["data"]
    } else {
        payload
    };
    let mut listed: Vec<u64> = data["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| match &a["id"] {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        })
        .collect();
    listed.sort_unstable();
    ids.sort_unstable();
    if listed != ids {
        problems.push(format!(
            "attachments {listed:?} do not match the file parts {ids:?}"
        ));
    }
    problems.extend(check_limits(payload));
    assert!(
        problems.is_empty(),
        "{method} {path} (multipart) is not what Discord accepts:\n{}\npayload: {payload:#}",
        problems.join("\n")
    );
}
