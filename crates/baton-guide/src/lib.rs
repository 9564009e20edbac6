//! The authoring guide: what a model (or a person) needs to write a good workflow script, split
//! into short topics so a reader takes only what it needs. `baton guide [topic]`, `baton new`'s
//! author and the MCP server's `workflow_guide` tool all read it from here.

/// One part of the guide.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    /// The name a reader asks for (`baton guide patterns`).
    pub name: &'static str,
    /// One line for the index.
    pub summary: &'static str,
    /// The topic's text (Markdown).
    pub text: &'static str,
}

/// Every topic, in reading order.
pub const TOPICS: &[Topic] = &[Topic {
    name: "format",
    summary: "the script's shape: meta, the body, the returned value",
    text: include_str!("../topics/format.md"),
}];

/// The topic with this name, if there is one.
pub fn topic(name: &str) -> Option<&'static Topic> {
    TOPICS
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

/// The index: one line per topic, and how to ask for one.
pub fn index() -> String {
    let mut out = String::from("# Writing baton workflows\n\nTopics (ask for one by name):\n\n");
    for t in TOPICS {
        out.push_str(&format!("- `{}`: {}\n", t.name, t.summary));
    }
    out
}

/// What `baton guide [topic]` prints: the index without a topic, else the topic's text; an
/// unknown name is an error listing the known ones.
pub fn render(name: Option<&str>) -> Result<String, String> {
    match name {
        None => Ok(index()),
        Some(n) => topic(n).map(|t| t.text.to_string()).ok_or_else(|| {
            let known: Vec<&str> = TOPICS.iter().map(|t| t.name).collect();
            format!("no guide topic `{n}`; the topics are: {}", known.join(", "))
        }),
    }
}
