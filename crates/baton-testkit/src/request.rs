//! `Parsed`: the protocol-neutral reading of a request that the script, the fault plan and the
//! token counter work from. `anthropic.rs` and `openai.rs` build it from their wire JSON.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

/// The tool whose call is the agent's final, schema-shaped answer.
pub(crate) const STRUCTURED_OUTPUT: &str = "StructuredOutput";

/// What the mock needs to know about one request.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub model: String,
    pub stream: bool,
    /// OpenAI `stream_options.include_usage`.
    pub include_usage: bool,
    pub system: String,
    /// Text of the first user message.
    pub prompt: String,
    /// Number of assistant messages.
    pub turn: usize,
    pub tools: Vec<String>,
    /// Input schema of the offered `StructuredOutput` tool, if any.
    pub structured_output: Option<Value>,
    pub cache_control: bool,
    /// Anthropic's hosted web search was among the tools (`web_search_…` type).
    pub hosted_search: bool,
    pub tool_results: Vec<(String, bool)>,
    /// The prompt in provider order (tools, system, messages), for token counting and the
    /// prompt-cache emulation.
    pub segments: Vec<Segment>,
}

/// One piece of the prompt, reduced to what counting and caching need: no text is kept, so a
/// long conversation costs a hash and a character count per block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    pub chars: u64,
    pub hash: u64,
    /// Carries a `cache_control` marker: the cached prefix ends here.
    pub marked: bool,
}

impl Segment {
    pub(crate) fn new(text: &str, marked: bool) -> Segment {
        Segment {
            chars: text.chars().count() as u64,
            hash: hash_of(&text),
            marked,
        }
    }
}

impl Parsed {
    /// Records an offered tool; `schema` is its input schema.
    pub(crate) fn offer_tool(&mut self, name: &str, schema: &Value) {
        if name == STRUCTURED_OUTPUT {
            self.structured_output = Some(schema.clone());
        }
        self.tools.push(name.to_owned());
    }
}

/// A stable hash (SipHash with fixed keys), the same in every process.
pub(crate) fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The text of a content value: a string, or the `text` of the text blocks of an array, joined
/// by newlines (both protocols allow either form almost everywhere).
pub(crate) fn text_of(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => {
            let texts: Vec<&str> = blocks
                .iter()
                .filter(|block| block["type"] == "text")
                .filter_map(|block| block["text"].as_str())
                .collect();
            texts.join("\n")
        }
        _ => String::new(),
    }
}

/// Whether a block carries a prompt-cache marker.
pub(crate) fn marked(block: &Value) -> bool {
    block.get("cache_control").is_some_and(|c| !c.is_null())
}

/// The required string field `name`, or the error message a real API would give.
pub(crate) fn required_str(body: &Value, name: &str) -> Result<String, String> {
    body[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{name}: Field required"))
}

/// The required array field `name`.
pub(crate) fn required_array<'a>(body: &'a Value, name: &str) -> Result<&'a [Value], String> {
    body[name]
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("{name}: Field required"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_of_reads_strings_and_text_blocks() {
        assert_eq!(text_of(&json!("hi")), "hi");
        let blocks = json!([
            {"type": "text", "text": "a"},
            {"type": "image", "source": {}},
            {"type": "text", "text": "b"}
        ]);
        assert_eq!(text_of(&blocks), "a\nb");
        assert_eq!(text_of(&Value::Null), "");
    }

    #[test]
    fn segments_count_characters_not_bytes() {
        let segment = Segment::new("éé", true);
        assert_eq!(segment.chars, 2);
        assert!(segment.marked);
        assert_eq!(segment.hash, Segment::new("éé", false).hash);
    }
}
