//! Values generated from the OpenAPI document's JSON schemas: plausible ones (the right shape,
//! drawn from edge cases: empty, huge, control characters, look-alike Unicode, extreme numbers)
//! and broken ones (one part of a plausible value given the wrong type, dropped, or joined by
//! an unknown field). Seeded, so a failing case is reproduced by its seed.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};

/// Strings that have broken parsers before.
const STRINGS: &[&str] = &[
    "",
    " ",
    "x",
    "djdash",
    "wedding",
    "hot",
    "answered",
    "+14155550123",
    "4155550123",
    "+1900555012",
    "https://www.djdash.example/dj/a?utm_source=google",
    "javascript:alert(1)",
    "2026-06-14",
    "2026-02-30",
    "2026-06-14T18:30:00Z",
    "America/Chicago",
    "Asia/Kathmandu",
    "Not/AZone",
    "00000000-0000-4000-8000-00000000dead",
    "0a0a0000-0000-4000-8000-00000000000a",
    "not-a-uuid",
    "'; DROP TABLE dj_calls; --",
    "../../etc/passwd",
    "%00",
    "\u{0}",
    "a\u{0}b",
    "\r\n\t",
    "ＳＴＯＰ",
    "stоp",
    "🎧🎶",
    "\u{202e}gnp.exe",
    "9223372036854775807",
    "-1",
    "1e400",
    "null",
    "true",
];

const INTEGERS: &[i64] = &[
    0,
    1,
    -1,
    2,
    10,
    99,
    100,
    1000,
    1001,
    100_000_000,
    100_000_001,
    i32::MAX as i64,
    i32::MIN as i64,
    i64::MAX,
    i64::MIN,
];

pub struct Generator<'a> {
    doc: &'a Value,
    rng: StdRng,
    /// Ids that exist in the test's world, so some cases reach past "not found".
    known_ids: Vec<String>,
}

impl<'a> Generator<'a> {
    pub fn new(doc: &'a Value, seed: u64, known_ids: Vec<String>) -> Generator<'a> {
        Generator {
            doc,
            rng: StdRng::seed_from_u64(seed),
            known_ids,
        }
    }

    pub fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())].clone()
    }

    /// A `$ref` followed to its schema.
    fn resolve(&self, schema: &Value) -> Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => self
                .doc
                .pointer(reference.trim_start_matches('#'))
                .map_or_else(|| schema.clone(), |target| self.resolve(target)),
            None => schema.clone(),
        }
    }

    /// A random (version 4 shaped) id, from the seed.
    pub fn uuid(&mut self) -> uuid::Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    /// A string for a parameter or field of this schema.
    pub fn string(&mut self, schema: &Value) -> String {
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.is_empty()
            && self.chance(60)
        {
            return self.pick(options).as_str().unwrap_or_default().to_string();
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("uuid") if self.chance(60) && !self.known_ids.is_empty() => {
                let ids = self.known_ids.clone();
                self.pick(&ids)
            }
            Some("uuid") if self.chance(50) => self.uuid().to_string(),
            Some("date") if self.chance(50) => format!(
                "20{:02}-{:02}-{:02}",
                self.rng.random_range(0..99),
                self.rng.random_range(0..14),
                self.rng.random_range(0..33)
            ),
            _ => match self.rng.random_range(0..10) {
                0 => "a".repeat(self.pick(&[64, 257, 2049, 10_001])),
                1 => {
                    let n = self.rng.random_range(1..40);
                    (0..n)
                        .map(|_| char::from_u32(self.rng.random_range(0..0x3000)).unwrap_or('?'))
                        .collect()
                }
                _ => self.pick(STRINGS).to_string(),
            },
        }
    }

    /// A value of the schema's shape.
    pub fn plausible(&mut self, schema: &Value, depth: u32) -> Value {
        let schema = &self.resolve(schema);
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema.get(key).and_then(Value::as_array)
                && !options.is_empty()
            {
                let option = &options[self.rng.random_range(0..options.len())];
                return self.plausible(option, depth);
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array)
            && let Some(first) = all.first()
        {
            return self.plausible(first, depth);
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ if schema.get("properties").is_some() => vec!["object"],
            _ => vec!["string", "integer", "object", "null"],
        };
        let nullable = types.contains(&"null");
        let concrete: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        if concrete.is_empty() || (nullable && self.chance(15)) {
            return Value::Null;
        }
        match self.pick(&concrete) {
            "string" => Value::String(self.string(schema)),
            "integer" => json!(self.pick(INTEGERS)),
            "number" => json!(self.pick(&[0.0, -0.5, 1.5, 1e15, f64::MAX, f64::MIN_POSITIVE])),
            "boolean" => json!(self.chance(50)),
            "array" if depth < 4 => {
                let n = self.rng.random_range(0..3);
                let items = schema.get("items").unwrap_or(&Value::Null);
                Value::Array((0..n).map(|_| self.plausible(items, depth + 1)).collect())
            }
            "object" if depth < 4 => self.object(schema, depth),
            _ => Value::Null,
        }
    }

    fn object(&mut self, schema: &Value, depth: u32) -> Value {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut map = Map::new();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if required.contains(&name.as_str()) || self.chance(60) {
                    map.insert(name.clone(), self.plausible(property, depth + 1));
                }
            }
        }
        Value::Object(map)
    }

    /// A plausible value with one thing wrong.
    pub fn broken(&mut self, schema: &Value) -> Value {
        let mut value = self.plausible(schema, 0);
        match (self.rng.random_range(0..6), value.as_object_mut()) {
            (0, _) => self.pick(&[
                json!([]),
                json!("text"),
                json!(42),
                json!(null),
                json!(true),
            ]),
            (1, Some(map)) if !map.is_empty() => {
                let key = map.keys().nth(self.rng.random_range(0..map.len())).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
                value
            }
            (2, Some(map)) => {
                map.insert("unexpected_field".into(), json!("surprise"));
                value
            }
            (_, Some(map)) if !map.is_empty() => {
                let key = map.keys().nth(self.rng.random_range(0..map.len())).cloned();
                let wrong = self.pick(&[
                    json!({"nested": {"deeper": [1, 2, 3]}}),
                    json!([null]),
                    json!(-1e300),
                    json!(i64::MIN),
                    json!("ＳＴＯＰ"),
                    json!(false),
                    json!(""),
                ]);
                if let Some(key) = key {
                    map.insert(key, wrong);
                }
                value
            }
            _ => value,
        }
    }

    /// Bytes that are not the JSON a handler expects at all.
    pub fn garbage(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..6) {
            0 => b"{".to_vec(),
            1 => b"{\"a\": 1e99999}".to_vec(),
            2 => format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            3 => vec![0xff, 0xfe, 0x00, 0x7b],
            4 => b"\"\\ud800\"".to_vec(),
            _ => b"{\"dj_profile_id\": \"a\", \"dj_profile_id\": \"b\"}".to_vec(),
        }
    }

    /// A path parameter: a known id, a random one, or something that is not an id at all.
    pub fn path_segment(&mut self) -> String {
        let segment = self.string(&json!({"format": "uuid"}));
        percent_encode(&segment)
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(raw: &str) -> String {
    let mut out = String::new();
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
