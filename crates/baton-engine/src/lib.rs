//! Runs a workflow: the script on the calling thread, its agents as tokio tasks, with the
//! concurrency cap, the agent cap, the token budget and the cost cap enforced here, and every step reported
//! as an [`Event`](baton_model::Event).

mod cap_watch;
mod caps;
mod control;
mod host;
mod library;
mod limits;
mod run;
mod schema;

pub use baton_model::{EventSink, Fanout, NoEvents, Replay};
pub use caps::{AtCap, CapKind};
pub use control::RunControl;
pub use library::{CatalogEntry, SavedWorkflow, Scope, WorkflowLibrary};
pub use limits::RunLimits;
pub use run::{run_workflow, RunReport, RunSpec};
pub use schema::check_schema;
