//! Extra HTTP headers a user asks to send on every model request (gateways such as LiteLLM,
//! Helicone or Portkey need their own): Claude Code's `ANTHROPIC_CUSTOM_HEADERS` convention,
//! `Name: value` lines, and a check that a name and value can go on the wire.

use reqwest::header::{HeaderName, HeaderValue};

/// The headers in `text`, one `Name: value` per line; blank lines are skipped.
pub fn parse_custom_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("'{line}' is not a `Name: value` header line"))?;
            check_header(name.trim(), value.trim())
        })
        .collect()
}

/// `(name, value)` when both are valid in an HTTP request, else what is wrong.
pub fn check_header(name: &str, value: &str) -> Result<(String, String), String> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("'{name}' is not a valid HTTP header name"))?;
    HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header {name} is not valid in HTTP"))?;
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_headers() {
        assert_eq!(
            parse_custom_headers("X-Gateway-Key: abc\n\n  Helicone-Auth: Bearer x:y \n").unwrap(),
            [
                ("X-Gateway-Key".to_string(), "abc".to_string()),
                ("Helicone-Auth".to_string(), "Bearer x:y".to_string())
            ]
        );
        assert!(parse_custom_headers("no colon")
            .unwrap_err()
            .contains("Name: value"));
        assert!(parse_custom_headers("bad name: v").is_err());
    }
}
