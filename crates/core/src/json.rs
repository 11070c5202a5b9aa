//! Reading JSON objects by hand, member by member, over the `serde_json::Map` they parse into.
//!
//! Why not `#[derive(Deserialize)]`: a derived impl is instantiated once per deserializer it
//! meets (the byte parser, `Value`, `&Value`, maps...), and that code was the largest share of
//! the edge Worker's wasm (BENCHMARKS.md, "Size"). [`Members`] does the same checks with one
//! copy: a required member must be present with its type, an optional one may be absent or
//! `null` (as serde reads an `Option`), and a member with a default may be absent but not of
//! another type. `deserialize_by_hand!` keeps such types usable with `serde_json`.

use std::fmt;

use serde_json::{Map, Value};

/// `value` as JSON text, written straight into a buffer (`Value`'s `Display` goes through
/// `core::fmt`, one `write_str` per token).
pub fn to_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Parses a JSON object; `None` for anything else.
///
/// Always through `Value`: asking serde_json for a `Map` (or any typed value) directly makes it
/// describe a wrongly typed input, which links the float formatting machinery into the wasm
/// for an error message nobody reads.
pub fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A member that is missing, or present with the wrong type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeError(pub &'static str);

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "member `{}` is missing or has the wrong type", self.0)
    }
}

impl std::error::Error for ShapeError {}

/// The members of one JSON object, taken out one by one.
pub struct Members(Map<String, Value>);

impl Members {
    /// The members of `value`, which must be an object (`what` names it in the error).
    pub fn of(value: Value, what: &'static str) -> Result<Self, ShapeError> {
        match value {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(ShapeError(what)),
        }
    }

    /// The members of an object already parsed.
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// Takes a member with `read`; absent is `Ok(None)`.
    fn take<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(Value) -> Option<T>,
    ) -> Result<Option<T>, ShapeError> {
        match self.0.remove(name) {
            None => Ok(None),
            Some(value) => read(value).map(Some).ok_or(ShapeError(name)),
        }
    }

    /// A string that must be present.
    pub fn string(&mut self, name: &'static str) -> Result<String, ShapeError> {
        self.take(name, into_string)?.ok_or(ShapeError(name))
    }

    /// A string that may be absent or `null`.
    pub fn optional_string(&mut self, name: &'static str) -> Result<Option<String>, ShapeError> {
        Ok(self.take(name, nullable(into_string))?.flatten())
    }

    /// A string with a default when absent (`null` is the wrong type, as for serde).
    pub fn string_or(&mut self, name: &'static str, default: &str) -> Result<String, ShapeError> {
        Ok(self
            .take(name, into_string)?
            .unwrap_or_else(|| default.to_owned()))
    }

    /// A boolean, `false` when absent.
    pub fn bool_or_false(&mut self, name: &'static str) -> Result<bool, ShapeError> {
        Ok(self.take(name, |value| value.as_bool())?.unwrap_or(false))
    }

    /// A boolean that must be present.
    pub fn bool(&mut self, name: &'static str) -> Result<bool, ShapeError> {
        self.take(name, |value| value.as_bool())?
            .ok_or(ShapeError(name))
    }

    /// A non-negative integer that must be present.
    pub fn u64(&mut self, name: &'static str) -> Result<u64, ShapeError> {
        self.take(name, |value| value.as_u64())?
            .ok_or(ShapeError(name))
    }

    /// A non-negative integer that may be absent or `null`.
    pub fn optional_u64(&mut self, name: &'static str) -> Result<Option<u64>, ShapeError> {
        Ok(self.take(name, nullable(|value| value.as_u64()))?.flatten())
    }

    /// An object that may be absent or `null`.
    pub fn optional_object(
        &mut self,
        name: &'static str,
    ) -> Result<Option<Map<String, Value>>, ShapeError> {
        self.optional(name, |value| match value {
            Value::Object(map) => Ok(map),
            _ => Err(ShapeError(name)),
        })
    }

    /// An integer that may be absent or `null`.
    pub fn optional_i64(&mut self, name: &'static str) -> Result<Option<i64>, ShapeError> {
        Ok(self.take(name, nullable(|value| value.as_i64()))?.flatten())
    }

    /// An array of strings, empty when absent (`null` is the wrong type, as for serde).
    pub fn strings_or_empty(&mut self, name: &'static str) -> Result<Vec<String>, ShapeError> {
        Ok(self.take(name, into_strings)?.unwrap_or_default())
    }

    /// An array of strings that may be absent or `null`.
    pub fn optional_strings(
        &mut self,
        name: &'static str,
    ) -> Result<Option<Vec<String>>, ShapeError> {
        Ok(self.take(name, nullable(into_strings))?.flatten())
    }

    /// A member read by `read`, which must be present.
    pub fn required<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(Value) -> Result<T, ShapeError>,
    ) -> Result<T, ShapeError> {
        let value = self.0.remove(name).ok_or(ShapeError(name))?;
        read(value)
    }

    /// A member read by `read` that may be absent or `null`.
    pub fn optional<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(Value) -> Result<T, ShapeError>,
    ) -> Result<Option<T>, ShapeError> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(value).map(Some),
        }
    }

    /// Any value, `null` when absent.
    pub fn value(&mut self, name: &'static str) -> Value {
        self.0.remove(name).unwrap_or(Value::Null)
    }
}

fn into_string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

fn into_strings(value: Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => items.into_iter().map(into_string).collect(),
        _ => None,
    }
}

/// `read`, with `null` read as `Some(None)`.
fn nullable<T>(read: impl FnOnce(Value) -> Option<T>) -> impl FnOnce(Value) -> Option<Option<T>> {
    move |value| match value {
        Value::Null => Some(None),
        other => read(other).map(Some),
    }
}

/// Implements `serde::Deserialize` for types with `fn from_value(Value) -> Result<Self,
/// ShapeError>`, through one parse into a `Value`.
macro_rules! deserialize_by_hand {
    ($($name:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                <$name>::from_value(value).map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    )*};
}
pub(crate) use deserialize_by_hand;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn members_read_as_serde_reads_them() {
        let mut members = Members::of(
            json!({"a": "x", "b": null, "c": ["p", "q"], "d": true, "e": 3, "f": null}),
            "test",
        )
        .unwrap();
        assert_eq!(members.string("a"), Ok("x".to_owned()));
        assert_eq!(members.optional_string("b"), Ok(None));
        assert_eq!(members.optional_string("absent"), Ok(None));
        assert_eq!(
            members.strings_or_empty("c"),
            Ok(vec!["p".into(), "q".into()])
        );
        assert_eq!(members.bool_or_false("d"), Ok(true));
        assert_eq!(members.optional_i64("e"), Ok(Some(3)));
        assert_eq!(members.u64("absent"), Err(ShapeError("absent")));
        assert_eq!(members.strings_or_empty("f"), Err(ShapeError("f")));
        assert_eq!(members.string("a"), Err(ShapeError("a")), "taken already");
        assert_eq!(members.string_or("g", "d"), Ok("d".to_owned()));

        let mut wrong = Members::of(json!({"a": 1, "c": ["p", 2], "d": "yes"}), "t").unwrap();
        assert_eq!(wrong.optional_string("a"), Err(ShapeError("a")));
        assert_eq!(wrong.optional_strings("c"), Err(ShapeError("c")));
        assert_eq!(wrong.bool_or_false("d"), Err(ShapeError("d")));
        assert!(Members::of(json!([1]), "list").is_err());
        assert_eq!(
            ShapeError("id").to_string(),
            "member `id` is missing or has the wrong type"
        );
    }
}
