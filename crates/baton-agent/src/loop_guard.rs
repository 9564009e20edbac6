//! Loop detection: a model that repeats itself instead of finishing. Small models do this
//! (the same `Read` of the same file forty times; prose again and again where a schema is
//! required), and without a guard each such agent spends turns until `maxTurns`.
//!
//! The guard watches the agent's actions in order: every tool call (name and exact input) and
//! every prose answer given where a `StructuredOutput` call was required. The same action
//! [`NUDGE_AT`] times in a row gets a reply telling the model it already has that answer and
//! must finish (the tool is not run again); [`STUCK_AT`] times in a row ends the agent `null`.

use serde_json::Value;

/// The same action this many times in a row: the model is told to finish instead.
pub const NUDGE_AT: u32 = 3;
/// The same action this many times in a row: the agent ends `null`, stuck.
pub const STUCK_AT: u32 = 5;

/// Inputs longer than this are cut in the reason (a `Write` may carry a whole file).
const SHOWN_INPUT: usize = 200;

/// One thing the model did at a turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<'a> {
    Tool {
        name: &'a str,
        input: &'a Value,
    },
    /// A text answer where a `StructuredOutput` call was required.
    Prose,
}

/// What to do about an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Go on as usual.
    Proceed,
    /// Do not run it again: answer with this instead.
    Nudge(String),
    /// End the agent `null` with this reason.
    Stuck(String),
}

#[derive(Debug, Default)]
pub struct LoopGuard {
    /// The last action, as text (`Read {"file_path":"a.py"}`, or `prose`).
    last: Option<String>,
    /// How many times in a row it happened.
    repeats: u32,
}

impl LoopGuard {
    /// Records `action` and judges it. `finish` says how this agent finishes ("answer in plain
    /// text", "call StructuredOutput"), for the nudge.
    pub fn observe(&mut self, action: Action, finish: &str) -> Verdict {
        let shown = describe(&action);
        if self.last.as_deref() == Some(shown.as_str()) {
            self.repeats += 1;
        } else {
            self.last = Some(shown.clone());
            self.repeats = 1;
        }
        let n = self.repeats;
        if n >= STUCK_AT {
            let what = match action {
                Action::Tool { .. } => format!("called {shown}"),
                Action::Prose => "answered in prose instead of calling StructuredOutput".into(),
            };
            return Verdict::Stuck(format!("stuck: {what} {n} times in a row"));
        }
        if n < NUDGE_AT {
            return Verdict::Proceed;
        }
        Verdict::Nudge(match action {
            Action::Tool { name, .. } => format!(
                "You already called {name} with exactly this input {n} times in a row; its \
                 result is above and has not changed. Do not call it again: {finish} now."
            ),
            Action::Prose => format!(
                "You answered in prose {n} times in a row. This task requires its answer as \
                 a StructuredOutput tool call whose input matches the schema: {finish} now."
            ),
        })
    }
}

fn describe(action: &Action) -> String {
    match action {
        Action::Tool { name, input } => {
            let input = input.to_string();
            if input.chars().count() > SHOWN_INPUT {
                let cut: String = input.chars().take(SHOWN_INPUT).collect();
                // Cut inputs still differ where they differ early; identical long inputs
                // compare equal through the length too.
                format!("{name} {cut}… ({} chars)", input.len())
            } else {
                format!("{name} {input}")
            }
        }
        Action::Prose => "prose".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_call_is_nudged_at_three_and_stuck_at_five() {
        let mut guard = LoopGuard::default();
        let read = json!({"file_path": "a.py"});
        let verdicts: Vec<Verdict> = (0..5)
            .map(|_| {
                guard.observe(
                    Action::Tool {
                        name: "Read",
                        input: &read,
                    },
                    "answer",
                )
            })
            .collect();
        assert_eq!(verdicts[..2], [Verdict::Proceed, Verdict::Proceed]);
        assert!(matches!(&verdicts[2], Verdict::Nudge(text) if text.contains("3 times")));
        assert!(matches!(verdicts[3], Verdict::Nudge(_)));
        assert_eq!(
            verdicts[4],
            Verdict::Stuck(r#"stuck: called Read {"file_path":"a.py"} 5 times in a row"#.into())
        );
    }

    #[test]
    fn anything_else_in_between_starts_the_count_again() {
        let mut guard = LoopGuard::default();
        let a = json!({"file_path": "a.py"});
        let b = json!({"file_path": "b.py"});
        for input in [&a, &a, &b, &a, &a] {
            let verdict = guard.observe(
                Action::Tool {
                    name: "Read",
                    input,
                },
                "answer",
            );
            assert_eq!(verdict, Verdict::Proceed);
        }
        for _ in 0..4 {
            guard.observe(Action::Prose, "call StructuredOutput");
        }
        assert_eq!(
            guard.observe(Action::Prose, "call StructuredOutput"),
            Verdict::Stuck(
                "stuck: answered in prose instead of calling StructuredOutput 5 times in a row"
                    .into()
            )
        );
    }
}
