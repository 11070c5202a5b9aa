//! Typed reads of raw settings: trimmed, empty as unset, and errors that name the setting
//! (never its value).

use super::ConfigError;

/// Typed reads of raw settings.
pub(super) struct Settings<'a, F: Fn(&str) -> Option<String>>(pub(super) &'a F);

impl<F: Fn(&str) -> Option<String>> Settings<'_, F> {
    /// A setting's trimmed value; empty counts as unset.
    pub(super) fn optional(&self, name: &str) -> Option<String> {
        let value = (self.0)(name)?.trim().to_owned();
        (!value.is_empty()).then_some(value)
    }

    /// A comma-separated list; empty items are dropped.
    pub(super) fn list(&self, name: &str) -> Vec<String> {
        self.optional(name)
            .map(|list| {
                list.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A secret that holds one value, or a JSON array of them (`["a", "b"]`); none when unset.
    pub(super) fn secrets(&self, name: &'static str) -> Result<Vec<String>, ConfigError> {
        match self.optional(name) {
            None => Ok(Vec::new()),
            Some(text) if text.starts_with('[') => {
                let strings = match serde_json::from_slice(text.as_bytes()) {
                    Ok(serde_json::Value::Array(items)) => items
                        .into_iter()
                        .map(|item| match item {
                            serde_json::Value::String(text) => Some(text),
                            _ => None,
                        })
                        .collect(),
                    _ => None,
                };
                strings.ok_or_else(|| ConfigError {
                    setting: name,
                    problem: "must be one value or a JSON array of strings".into(),
                })
            }
            Some(text) => Ok(vec![text]),
        }
    }

    /// An optional `http(s)://` URL without its trailing `/`; `problem` says what is expected.
    pub(super) fn http_url(
        &self,
        name: &'static str,
        problem: &str,
    ) -> Result<Option<String>, ConfigError> {
        let Some(url) = self.optional(name) else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError {
                setting: name,
                problem: problem.into(),
            });
        }
        Ok(Some(url.trim_end_matches('/').to_owned()))
    }

    pub(super) fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError {
            setting: name,
            problem: "is not set".into(),
        })
    }

    pub(super) fn number(&self, name: &'static str, default: u64) -> Result<u64, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| ConfigError {
                setting: name,
                problem: "must be a whole number".into(),
            }),
        }
    }

    pub(super) fn boolean(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self
            .optional(name)
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None => Ok(default),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(_) => Err(ConfigError {
                setting: name,
                problem: "must be true or false".into(),
            }),
        }
    }
}
