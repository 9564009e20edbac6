//! `baton new`: one authoring agent turns a task into a workflow script; the script is checked
//! (`baton check --json`) and played on `sim` (`baton run --dry-run --json`), and every failure
//! goes back to the author with the exact diagnostics, at most [`MAX_REPAIRS`] times. What comes
//! out is a script that passed both, and the plan card that describes it before anything is
//! spent. The binary wires it: the backend, the journal's sink, the checker's processes.

mod contract;
mod plan;
mod prompt;
mod session;

pub use contract::{CheckReport, Diagnostic, DryRunReport, MetaReport, PhaseEstimate, Range};
pub use plan::{plan_card, AuthorCost};
pub use prompt::{draft_prompt, extract_script, repair_prompt, workspace_summary, READ_ONLY_TOOLS};
pub use session::{Author, Authored, Checked, Checker, Progress};

/// Repairs after the first draft before the author gives up.
pub const MAX_REPAIRS: u32 = 3;
