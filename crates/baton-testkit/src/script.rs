//! Scripted conversations: which rule answers a conversation, and what it says at each turn.
//!
//! Requests are stateless (a turn is the number of assistant messages the client sends back),
//! but the choice of rule is not: a rule with limited uses must answer the same conversation on
//! every turn, and a retry must not count as a new conversation. So the first request of a
//! conversation picks the rule and the conversation id (a hash of what cannot change between its
//! turns) remembers it.

use std::collections::HashMap;
use std::time::Duration;

use baton_sim::{value_for_schema, SimRng};
use regex::Regex;
use serde_json::{json, Value};

use crate::config::{FaultKind, Match, Rule, Turn};
use crate::request::{Parsed, STRUCTURED_OUTPUT};

/// What the assistant says in one response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Text(String),
    Tool {
        id: String,
        name: String,
        input: Value,
    },
    /// A hosted tool's block (Anthropic only), as the real API writes it.
    Hosted(Value),
}

impl Reply {
    fn text(text: impl Into<String>) -> Reply {
        Reply {
            blocks: vec![Block::Text(text.into())],
        }
    }

    pub(crate) fn calls_tools(&self) -> bool {
        self.blocks.iter().any(|b| matches!(b, Block::Tool { .. }))
    }

    /// Hosted web searches run in this reply.
    pub(crate) fn web_searches(&self) -> u64 {
        self.blocks
            .iter()
            .filter(|b| matches!(b, Block::Hosted(raw) if raw["type"] == "server_tool_use"))
            .count() as u64
    }
}

/// The rule of a conversation and the fault scripted for this attempt, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    pub rule: Option<usize>,
    pub fault: Option<FaultKind>,
}

/// The rules, ready to match: read-only once the server runs, so replies (which may generate
/// schema values, the slowest thing the mock does) are built outside the state lock.
pub(crate) struct Rules {
    rules: Vec<(Rule, Option<Regex>)>,
}

/// Which conversation has which rule, and what is left of each rule's uses.
pub(crate) struct Conversations {
    uses_left: Vec<Option<usize>>,
    by_id: HashMap<u64, Conversation>,
}

struct Conversation {
    /// `None`: no rule matched, the default replies apply.
    rule: Option<usize>,
    /// The last first-turn attempt failed, so the next first-turn request is its retry rather
    /// than a new conversation with the same opening.
    retry_pending: bool,
    /// Requests seen so far at each turn, for scripted faults.
    attempts: HashMap<usize, usize>,
}

impl Rules {
    /// Compiles the rules' regexes.
    ///
    /// # Panics
    /// On an invalid `Match::PromptRegex`: a broken test setup should fail loudly and at once.
    pub(crate) fn new(rules: &[Rule]) -> Rules {
        let rules = rules
            .iter()
            .map(|rule| {
                let regex = match &rule.matcher {
                    Match::PromptRegex(pattern) => Some(
                        Regex::new(pattern)
                            .unwrap_or_else(|e| panic!("invalid PromptRegex {pattern:?}: {e}")),
                    ),
                    _ => None,
                };
                (rule.clone(), regex)
            })
            .collect();
        Rules { rules }
    }

    pub(crate) fn latency(&self, rule: Option<usize>) -> Option<Duration> {
        rule.and_then(|r| self.rules[r].0.latency)
    }

    /// The reply for this turn. Tool-call ids are `ids` (a per-conversation prefix) followed by
    /// the turn and the call's position, so they are unique within a conversation.
    pub(crate) fn reply(&self, rule: Option<usize>, parsed: &Parsed, ids: &str) -> Reply {
        let mut reply = match rule {
            Some(r) => scripted_reply(&self.rules[r].0.turns, parsed),
            None => default_reply(parsed),
        };
        let mut n = 0;
        for block in &mut reply.blocks {
            if let Block::Tool { id, .. } = block {
                *id = format!("{ids}{:02}{n}", parsed.turn);
                n += 1;
            }
        }
        reply
    }

    fn matches(&self, index: usize, parsed: &Parsed, label: Option<&str>) -> bool {
        let (rule, regex) = &self.rules[index];
        match &rule.matcher {
            Match::Any => true,
            Match::Label(wanted) => label == Some(wanted.as_str()),
            Match::PromptContains(needle) => parsed.prompt.contains(needle.as_str()),
            Match::PromptRegex(_) => regex.as_ref().is_some_and(|r| r.is_match(&parsed.prompt)),
        }
    }
}

impl Conversations {
    pub(crate) fn new(rules: &[Rule]) -> Conversations {
        Conversations {
            uses_left: rules.iter().map(|rule| rule.uses).collect(),
            by_id: HashMap::new(),
        }
    }

    /// Registers one request of conversation `id`: finds or starts the conversation (a new one
    /// takes a use of the first matching rule) and says which scripted fault, if any, it gets.
    pub(crate) fn attempt(
        &mut self,
        rules: &Rules,
        id: u64,
        parsed: &Parsed,
        label: Option<&str>,
    ) -> Attempt {
        let turn = parsed.turn;
        let known = self
            .by_id
            .get(&id)
            .is_some_and(|c| turn > 0 || c.retry_pending);
        if !known {
            let rule = self.choose(rules, parsed, label);
            let fresh = Conversation {
                rule,
                retry_pending: false,
                attempts: HashMap::new(),
            };
            self.by_id.insert(id, fresh);
        }
        let conversation = self.by_id.get_mut(&id).expect("inserted above");
        let seen = conversation.attempts.entry(turn).or_insert(0);
        let attempt = *seen;
        *seen += 1;
        let rule = conversation.rule;
        let fault = rule.and_then(|r| scripted_fault(&rules.rules[r].0, turn, attempt));
        Attempt { rule, fault }
    }

    /// Records whether the attempt failed, so that a failed first turn is retried under the
    /// same rule (a fault never costs a rule a use).
    pub(crate) fn settle(&mut self, id: u64, turn: usize, failed: bool) {
        if let Some(conversation) = self.by_id.get_mut(&id) {
            if turn == 0 {
                conversation.retry_pending = failed;
            }
        }
    }

    /// The first rule that matches and has a use left; takes that use.
    fn choose(&mut self, rules: &Rules, parsed: &Parsed, label: Option<&str>) -> Option<usize> {
        let index = (0..rules.rules.len())
            .find(|&i| self.uses_left[i] != Some(0) && rules.matches(i, parsed, label))?;
        if let Some(left) = &mut self.uses_left[index] {
            *left -= 1;
        }
        Some(index)
    }
}

/// The fault for the `attempt`-th request (from 0) at `turn`: the rule's faults at that turn
/// take the first attempts in order.
fn scripted_fault(rule: &Rule, turn: usize, attempt: usize) -> Option<FaultKind> {
    let mut claimed = 0;
    for fault in rule.faults.iter().filter(|f| f.turn == turn) {
        claimed += fault.attempts;
        if attempt < claimed {
            return Some(fault.kind);
        }
    }
    None
}

fn scripted_reply(turns: &[Turn], parsed: &Parsed) -> Reply {
    let turn = turns.get(parsed.turn).or_else(|| {
        // Past the script: the conversation goes on (tool errors, extra questions), so keep
        // giving its final word.
        turns.iter().rev().find(|t| matches!(t, Turn::Text(_)))
    });
    reply_for(turn, parsed)
}

fn reply_for(turn: Option<&Turn>, parsed: &Parsed) -> Reply {
    match turn {
        Some(Turn::HostedSearch { query, hits, then }) => {
            let mut reply = reply_for(Some(then), parsed);
            if parsed.hosted_search {
                reply
                    .blocks
                    .splice(0..0, hosted_search(query, hits, parsed.turn));
            }
            reply
        }
        Some(Turn::Text(text)) => Reply::text(text.replace("{prompt}", &parsed.prompt)),
        Some(Turn::ToolCalls(calls)) => Reply {
            blocks: calls
                .iter()
                .map(|call| Block::Tool {
                    id: String::new(),
                    name: call.name.clone(),
                    input: call.input.clone(),
                })
                .collect(),
        },
        None => Reply::text("done"),
    }
}

/// A hosted search's two blocks, as Anthropic's API writes them.
fn hosted_search(query: &str, hits: &[(String, String)], turn: usize) -> [Block; 2] {
    let id = format!("srvtoolu_mock{turn:02}");
    let results: Vec<Value> = hits
        .iter()
        .map(|(title, url)| {
            json!({"type": "web_search_result", "title": title, "url": url,
                   "encrypted_content": "bW9jaw==", "page_age": null})
        })
        .collect();
    [
        Block::Hosted(
            json!({"type": "server_tool_use", "id": id, "name": "web_search",
                             "input": {"query": query}}),
        ),
        Block::Hosted(json!({"type": "web_search_tool_result", "tool_use_id": id,
                             "content": results})),
    ]
}

/// No rule: answer a structured-output request with a schema-valid value (then "done" once the
/// client has sent the tool result back), anything else with an echo of the prompt.
fn default_reply(parsed: &Parsed) -> Reply {
    match &parsed.structured_output {
        Some(schema) if parsed.turn == 0 => {
            let mut rng = SimRng::from_seed_bytes(parsed.prompt.as_bytes());
            Reply {
                blocks: vec![Block::Tool {
                    id: String::new(),
                    name: STRUCTURED_OUTPUT.to_owned(),
                    input: value_for_schema(schema, &mut rng),
                }],
            }
        }
        Some(_) => Reply::text("done"),
        None => {
            let head: String = parsed.prompt.chars().take(40).collect();
            Reply::text(format!("ok: {head}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(prompt: &str, turn: usize) -> Parsed {
        Parsed {
            prompt: prompt.to_owned(),
            turn,
            ..Parsed::default()
        }
    }

    #[test]
    fn uses_run_out_in_order_and_conversations_keep_their_rule() {
        let rules = [
            Rule::new(Match::Any, vec![Turn::text("first")]).with_uses(1),
            Rule::new(Match::Any, vec![Turn::text("second")]),
        ];
        let (rules, mut conversations) = (Rules::new(&rules), Conversations::new(&rules));
        let a = conversations.attempt(&rules, 1, &parsed("p", 0), None);
        conversations.settle(1, 0, false);
        let b = conversations.attempt(&rules, 2, &parsed("p", 0), None);
        let a1 = conversations.attempt(&rules, 1, &parsed("p", 1), None);
        assert_eq!((a.rule, b.rule, a1.rule), (Some(0), Some(1), Some(0)));
    }

    #[test]
    fn a_failed_first_turn_is_retried_under_the_same_rule() {
        let rules = [
            Rule::new(Match::Any, vec![Turn::text("x")])
                .with_uses(1)
                .with_fault(0, 1, FaultKind::Overloaded),
            Rule::new(Match::Any, vec![Turn::text("y")]),
        ];
        let (rules, mut conversations) = (Rules::new(&rules), Conversations::new(&rules));
        let first = conversations.attempt(&rules, 7, &parsed("p", 0), None);
        conversations.settle(7, 0, true);
        let retry = conversations.attempt(&rules, 7, &parsed("p", 0), None);
        conversations.settle(7, 0, false);
        // The same opening again, after a success, is a new conversation.
        let again = conversations.attempt(&rules, 7, &parsed("p", 0), None);
        assert_eq!(first.fault, Some(FaultKind::Overloaded));
        assert_eq!((retry.rule, retry.fault), (Some(0), None));
        assert_eq!(again.rule, Some(1));
    }

    #[test]
    fn replies_follow_the_script_then_repeat_the_last_text() {
        let rules = [Rule::new(
            Match::prompt_regex("^fix"),
            vec![
                Turn::tool("Read", json!({"path": "a"})),
                Turn::text("fixed {prompt}"),
            ],
        )];
        let (script, mut conversations) = (Rules::new(&rules), Conversations::new(&rules));
        let rule = conversations
            .attempt(&script, 1, &parsed("fix it", 0), None)
            .rule;
        let first = script.reply(rule, &parsed("fix it", 0), "toolu_");
        assert!(first.calls_tools());
        let Block::Tool { id, .. } = &first.blocks[0] else {
            panic!("{first:?}")
        };
        assert_eq!(id, "toolu_000");
        let late = script.reply(rule, &parsed("fix it", 5), "toolu_");
        assert_eq!(late, Reply::text("fixed fix it"));
        let other = conversations.attempt(&script, 2, &parsed("other", 0), None);
        assert_eq!(other.rule, None);
    }

    #[test]
    fn default_replies_echo_or_fill_the_schema() {
        let script = Rules::new(&[]);
        let long = "x".repeat(50);
        assert_eq!(
            script.reply(None, &parsed(&long, 0), "t"),
            Reply::text(format!("ok: {}", "x".repeat(40)))
        );
        let mut structured = parsed("p", 0);
        structured.structured_output = Some(json!({
            "type": "object",
            "properties": {"n": {"type": "integer"}},
            "required": ["n"]
        }));
        let reply = script.reply(None, &structured, "t");
        let Block::Tool { name, input, .. } = &reply.blocks[0] else {
            panic!("{reply:?}")
        };
        assert_eq!(name, STRUCTURED_OUTPUT);
        assert!(input["n"].is_i64());
        structured.turn = 1;
        assert_eq!(script.reply(None, &structured, "t"), Reply::text("done"));
    }
}
