//! The authoring loop: draft, check, dry-run, repair (at most [`MAX_REPAIRS`] times). Every
//! call to the author is an agent of the author's own run, reported as events (queued, started,
//! its turns and tool calls, finished with its usage), so the journal holds what writing the
//! workflow cost.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use baton_model::Event;
use baton_model::{
    call_key, AgentBackend, AgentCall, AgentEnd, AgentNote, AgentOptions, AgentOutcome, EventSink,
    LogLevel, NoteSink, RunId, Usage,
};
use serde_json::Value;

use crate::contract::{CheckReport, DryRunReport};
use crate::prompt::{draft_prompt, extract_script, repair_prompt, READ_ONLY_TOOLS};
use crate::MAX_REPAIRS;

/// Added to the problems of a repair that returned the failing script unchanged.
const UNCHANGED: &str = "\n\nYour last answer repeated the failing script unchanged. Change \
    the code where the problems above point; do not send the same script again.";

/// Runs `baton check --json` and `baton run --dry-run --json` on a file. `Err` means the check
/// itself could not run (not that the script is bad).
pub trait Checker: Send + Sync {
    fn check(&self, file: &Path) -> Result<CheckReport, String>;
    fn dry_run(&self, file: &Path) -> Result<DryRunReport, String>;
}

/// Lines for the person waiting (stderr in the binary).
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// What passed both checks, as they reported it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub check: CheckReport,
    pub dry_run: DryRunReport,
}

/// How the authoring ended.
#[derive(Debug)]
pub enum Authored {
    /// A script that passed the check and the dry run, written to the file.
    Ready {
        script: String,
        checked: Box<Checked>,
        repairs: u32,
        usage: Usage,
    },
    /// Still failing after the last repair (or the checks could not run): the last script is
    /// in the file, `diagnostics` says what is wrong with it.
    Failed {
        diagnostics: String,
        repairs: u32,
        usage: Usage,
    },
    /// The author gave no answer. `fatal`: the user must act (no key, unknown model,
    /// unreachable provider).
    AgentFailed {
        reason: String,
        fatal: bool,
        usage: Usage,
    },
}

/// Why a script did not pass.
enum Rejection {
    /// The script's fault: goes back to the author.
    Script(String),
    /// The checker's: no model can fix it.
    Checker(String),
}

pub struct Author {
    pub backend: Arc<dyn AgentBackend>,
    pub events: Arc<dyn EventSink>,
    pub checker: Arc<dyn Checker>,
    pub run_id: RunId,
    /// The author's model as the user named it.
    pub model: String,
    pub max_turns: u32,
    pub progress: Progress,
}

impl Author {
    /// Writes a script for `task` into `file`, checking and repairing it.
    pub async fn write(&self, task: &str, workspace: &str, file: &Path) -> Authored {
        let mut usage = Usage::default();
        let mut last: Option<(String, String)> = None;
        let mut diagnostics = String::new();
        for attempt in 0..=MAX_REPAIRS {
            let (prompt, label, phase) = match &last {
                None => (draft_prompt(task, workspace), "author".to_string(), "Write"),
                Some((script, problems)) => (
                    repair_prompt(task, workspace, script, problems),
                    format!("author (repair {attempt})"),
                    "Repair",
                ),
            };
            if attempt <= 1 {
                self.events.emit(Event::PhaseStarted {
                    title: phase.into(),
                });
            }
            let answer = match self
                .call(u64::from(attempt) + 1, label, phase, prompt)
                .await
            {
                (Ok(text), spent) => {
                    usage += spent;
                    text
                }
                (Err((reason, fatal)), spent) => {
                    usage += spent;
                    return Authored::AgentFailed {
                        reason,
                        fatal,
                        usage,
                    };
                }
            };
            let Some(script) = extract_script(&answer) else {
                diagnostics = "the answer held no script: answer with the whole script in one \
                               ```js code block"
                    .to_string();
                self.say(LogLevel::Warn, &format!("draft {}: no script", attempt + 1));
                last = Some((answer, diagnostics.clone()));
                continue;
            };
            if let Err(e) = std::fs::write(file, &script) {
                return Authored::Failed {
                    diagnostics: format!("cannot write {}: {e}", file.display()),
                    repairs: attempt,
                    usage,
                };
            }
            match self.check_file(file) {
                Ok(checked) => {
                    self.say(
                        LogLevel::Info,
                        &format!("draft {} passed the check and the dry run", attempt + 1),
                    );
                    return Authored::Ready {
                        script,
                        checked: Box::new(checked),
                        repairs: attempt,
                        usage,
                    };
                }
                Err(Rejection::Checker(why)) => {
                    return Authored::Failed {
                        diagnostics: why,
                        repairs: attempt,
                        usage,
                    }
                }
                Err(Rejection::Script(problems)) => {
                    let unchanged = last
                        .as_ref()
                        .is_some_and(|(previous, _)| *previous == script);
                    let same = match unchanged {
                        true => format!(" (the same script as draft {attempt})"),
                        false => String::new(),
                    };
                    // The last draft's problems are the caller's to show, with the outcome.
                    let next = match attempt < MAX_REPAIRS {
                        true => format!("; repair {} of {MAX_REPAIRS}:\n{problems}", attempt + 1),
                        false => String::new(),
                    };
                    self.say(
                        LogLevel::Warn,
                        &format!("draft {} failed{same}{next}", attempt + 1),
                    );
                    diagnostics = problems.clone();
                    // A deterministic model given the same prompt answers the same: telling it
                    // so also changes the next prompt.
                    let told = match unchanged {
                        true => format!("{problems}{UNCHANGED}"),
                        false => problems,
                    };
                    last = Some((script, told));
                }
            }
        }
        Authored::Failed {
            diagnostics,
            repairs: MAX_REPAIRS,
            usage,
        }
    }

    /// Checks a file as a draft is checked; `Err` is what to tell whoever fixes it. Also used
    /// after the user edited the script.
    pub fn recheck(&self, file: &Path) -> Result<Checked, String> {
        self.check_file(file).map_err(|r| match r {
            Rejection::Script(text) | Rejection::Checker(text) => text,
        })
    }

    fn check_file(&self, file: &Path) -> Result<Checked, Rejection> {
        let check = self.checker.check(file).map_err(Rejection::Checker)?;
        if let Some(errors) = check.errors() {
            let mut text = errors;
            for warning in check.warnings() {
                text.push('\n');
                text.push_str(&warning);
            }
            return Err(Rejection::Script(text));
        }
        if check.meta.is_none() {
            return Err(Rejection::Script(format!(
                "{}: `meta` could not be read: the first statement must be `export const meta = {{ name, description, phases }}` as a pure literal",
                check.file
            )));
        }
        let dry_run = self.checker.dry_run(file).map_err(Rejection::Checker)?;
        if let Some(failures) = dry_run.failures_text() {
            return Err(Rejection::Script(failures));
        }
        Ok(Checked { check, dry_run })
    }

    fn say(&self, level: LogLevel, text: &str) {
        (self.progress)(text);
        self.events.emit(Event::Log {
            level,
            text: text.to_string(),
        });
    }

    /// One call to the author, as one agent of this run. The answer's text, or why there is
    /// none (and whether the user must act).
    async fn call(
        &self,
        seq: u64,
        label: String,
        phase: &str,
        prompt: String,
    ) -> (Result<String, (String, bool)>, Usage) {
        let model = match self.backend.resolve_model(&self.model) {
            Ok(model) => model,
            Err(why) => {
                return (
                    Err((format!("model {}: {why}", self.model), true)),
                    Usage::default(),
                )
            }
        };
        let options = AgentOptions {
            label: Some(label.clone()),
            phase: Some(phase.to_string()),
            model: Some(self.model.clone()),
            tools: Some(READ_ONLY_TOOLS.iter().map(|t| t.to_string()).collect()),
            max_turns: Some(self.max_turns),
            ..AgentOptions::default()
        };
        let call = AgentCall {
            run_id: self.run_id.clone(),
            seq,
            key: call_key(&prompt, &model, &options),
            occurrence: 0,
            prompt,
            model: model.clone(),
            options,
        };
        let (label, phase) = (Some(label), Some(phase.to_string()));
        self.events.emit(Event::AgentQueued {
            seq,
            key: call.key.clone(),
            occurrence: 0,
            label: label.clone(),
            phase: phase.clone(),
            model: model.clone(),
            prompt: call.prompt.clone(),
            options: Box::new(call.options.clone()),
        });
        self.events.emit(Event::AgentStarted {
            seq,
            label: label.clone(),
            phase: phase.clone(),
            model,
        });
        (self.progress)(&format!(
            "{}: writing with {}…",
            label.as_deref().unwrap_or(""),
            self.model
        ));
        let events = self.events.clone();
        let note_label = label.clone();
        let notes: NoteSink = Arc::new(move |note: AgentNote| {
            events.emit(Event::AgentNote {
                seq,
                label: note_label.clone(),
                note,
            })
        });
        let started = Instant::now();
        let outcome = self.backend.run(call, notes).await;
        let usage = outcome.usage();
        let (end, answer) = match outcome {
            AgentOutcome::Completed { value, .. } => {
                let text = match &value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                (AgentEnd::Completed { value }, Ok(text))
            }
            AgentOutcome::Null { reason, .. } => (
                AgentEnd::Null {
                    reason: reason.clone(),
                },
                Err((format!("the author gave no answer: {reason}"), false)),
            ),
            AgentOutcome::Rejected { message, .. } => (
                AgentEnd::Rejected {
                    message: message.clone(),
                },
                Err((format!("the author failed: {message}"), false)),
            ),
            AgentOutcome::Fatal { message, .. } => (
                AgentEnd::Null {
                    reason: message.clone(),
                },
                Err((message, true)),
            ),
        };
        self.events.emit(Event::AgentFinished {
            seq,
            label,
            phase,
            end,
            usage,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
        (answer, usage)
    }
}
