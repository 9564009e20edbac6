//! The small vocabulary simulated strings are drawn from, keyed by property names.
//!
//! Why small: workflow scripts often loop "until no new finding appears" and dedupe by string.
//! Under the sim those loops must end, so a property called `findings` yields items such as
//! `"finding 1"`..`"finding 3"`, and a second run soon repeats the first one's strings.

/// The default number of distinct strings per key (`"finding 1"`..`"finding 3"`).
pub(crate) const VARIANTS: u64 = 3;
/// Longest key, in characters, quoted into a string; long names would only pad answers.
const MAX_KEY_CHARS: usize = 40;

/// Last words of property names that hold prose rather than a label; their strings read as
/// `"summary of finding 2"` instead of `"summary 2"`.
const PROSE_WORDS: &[&str] = &[
    "analysis",
    "body",
    "comment",
    "conclusion",
    "content",
    "context",
    "description",
    "detail",
    "details",
    "evidence",
    "explanation",
    "feedback",
    "impact",
    "justification",
    "message",
    "note",
    "notes",
    "overview",
    "plan",
    "rationale",
    "reason",
    "reasoning",
    "recommendation",
    "response",
    "suggestion",
    "summary",
    "text",
];

/// A property name as lowercase words: `rootCause` → `root cause`, `file_path` → `file path`,
/// `HTTPStatus` → `http status`.
pub(crate) fn words_of(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == '.' || c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            // A capital starts a word after a lowercase letter or digit (`rootCause`), or ends
            // an acronym when a lowercase letter follows (`HTTPStatus` → `http status`).
            let boundary =
                prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower);
            if boundary && !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        }
        out.extend(c.to_lowercase());
    }
    let out = out.trim_end().to_string();
    if out.chars().count() > MAX_KEY_CHARS {
        out.chars()
            .take(MAX_KEY_CHARS)
            .collect::<String>()
            .trim_end()
            .to_string()
    } else {
        out
    }
}

/// The first few words of a schema `description`, as a key when no property name is known.
pub(crate) fn key_from_description(description: &str) -> String {
    let words: Vec<String> = description
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '-')
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .filter(|w| !matches!(w.as_str(), "a" | "an" | "the"))
        .take(3)
        .collect();
    words_of(&words.join(" "))
}

/// The singular of a key's last word, for the items of an array: `findings` → `finding`,
/// `entries` → `entry`, `classes` → `class`. Crude on purpose; it only names things.
pub(crate) fn singular(key: &str) -> String {
    let (head, last) = match key.rsplit_once(' ') {
        Some((h, l)) => (Some(h), l),
        None => (None, key),
    };
    let single = if let Some(stem) = last.strip_suffix("ies").filter(|s| s.len() > 1) {
        format!("{stem}y")
    } else if let Some(stem) = last
        .strip_suffix("es")
        .filter(|s| s.ends_with("ss") || s.ends_with("sh") || s.ends_with("ch") || s.ends_with('x'))
    {
        stem.to_string()
    } else if let Some(stem) = last
        .strip_suffix('s')
        .filter(|s| s.len() > 1 && !s.ends_with('s') && !s.ends_with('u') && !s.ends_with('i'))
    {
        stem.to_string()
    } else {
        last.to_string()
    };
    match head {
        Some(h) => format!("{h} {single}"),
        None => single,
    }
}

/// The string for a property `key` inside an object named `parent`, variant `n`.
pub(crate) fn phrase(key: &str, parent: Option<&str>, n: u64) -> String {
    let key = if key.is_empty() { "answer" } else { key };
    let last = key.rsplit(' ').next().unwrap_or(key);
    if PROSE_WORDS.contains(&last) {
        let parent = parent.filter(|p| !p.is_empty()).unwrap_or("result");
        format!("{key} of {parent} {n}")
    } else {
        format!("{key} {n}")
    }
}

/// `key` as an ASCII slug usable in hostnames, URIs and e-mail addresses (`root-cause`).
fn slug(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(30).collect();
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "item".to_string()
    } else {
        out.to_string()
    }
}

/// A string in `format`, variant `n`, or `None` for a format this module does not know.
pub(crate) fn formatted(format: &str, key: &str, n: u64) -> Option<String> {
    let s = slug(key);
    let day = (n.saturating_sub(1) % 28) + 1;
    Some(match format {
        "date-time" => format!("2024-01-{day:02}T12:00:00Z"),
        "date" => format!("2024-01-{day:02}"),
        "time" => format!("12:00:{:02}Z", n % 60),
        "duration" => format!("PT{n}M"),
        "email" | "idn-email" => format!("{s}{n}@example.com"),
        "hostname" | "idn-hostname" => format!("{s}{n}.example.com"),
        "ipv4" => format!("192.0.2.{}", n % 256),
        "ipv6" => format!("2001:db8::{:x}", n % 0x10000),
        "uri" | "iri" | "uri-reference" | "iri-reference" | "uri-template" => {
            format!("https://example.com/{s}/{n}")
        }
        "uuid" => format!("00000000-0000-4000-8000-{:012x}", n % (1 << 48)),
        "json-pointer" => format!("/{s}/{n}"),
        "relative-json-pointer" => format!("{}/{s}", n % 10),
        "regex" => format!("^{s}[0-9]*$"),
        _ => return None,
    })
}

/// A shorter string in `format`, for when `maxLength` leaves no room for the usual one.
pub(crate) fn compact_formatted(format: &str, n: u64) -> Option<String> {
    let n = n % 10;
    Some(match format {
        "email" | "idn-email" => format!("{n}@x.io"),
        "hostname" | "idn-hostname" => format!("h{n}"),
        "uri" | "iri" => format!("a:{n}"),
        "uri-reference" | "iri-reference" | "uri-template" | "relative-json-pointer" => {
            n.to_string()
        }
        "json-pointer" => format!("/{n}"),
        "regex" => "a".to_string(),
        "duration" => format!("P{n}D"),
        _ => return None,
    })
}

/// Pads `s` with repetitions of `key` up to `min` characters, then cuts it to `max`.
pub(crate) fn fit_length(s: String, key: &str, min: usize, max: usize) -> String {
    let mut s = s;
    let filler = if key.is_empty() { "x" } else { key };
    while s.chars().count() < min {
        s.push(' ');
        s.push_str(filler);
    }
    if s.chars().count() > max {
        s = s.chars().take(max).collect();
        // A trailing space reads badly; drop it when the minimum still holds.
        if s.ends_with(' ') && s.chars().count() > min {
            s.pop();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_from_names() {
        assert_eq!(words_of("rootCause"), "root cause");
        assert_eq!(words_of("file_path"), "file path");
        assert_eq!(words_of("HTTPStatus"), "http status");
        assert_eq!(words_of("findings"), "findings");
        assert_eq!(words_of("kebab-case-name"), "kebab case name");
        assert_eq!(words_of("line2Number"), "line2 number");
        assert_eq!(words_of(""), "");
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("findings"), "finding");
        assert_eq!(singular("entries"), "entry");
        assert_eq!(singular("classes"), "class");
        assert_eq!(singular("open issues"), "open issue");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("analysis"), "analysis");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("s"), "s");
    }

    #[test]
    fn phrases() {
        assert_eq!(phrase("finding", None, 2), "finding 2");
        assert_eq!(phrase("summary", Some("issue"), 1), "summary of issue 1");
        assert_eq!(phrase("summary", None, 1), "summary of result 1");
        assert_eq!(phrase("", None, 3), "answer 3");
    }

    #[test]
    fn lengths() {
        assert_eq!(fit_length("ab".into(), "k", 5, 10), "ab k k");
        assert_eq!(fit_length("finding 2".into(), "finding", 0, 3), "fin");
        assert_eq!(fit_length("ab cd".into(), "x", 0, 3), "ab");
        assert_eq!(fit_length("ab cd".into(), "x", 3, 3), "ab ");
        assert_eq!(fit_length("".into(), "", 2, 2), " x");
    }
}
