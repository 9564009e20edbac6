//! One file per subcommand; each returns the process's exit code.

mod check;
mod config;
pub mod dry_run;
mod guide;
pub(crate) mod journal_view;
mod launch;
mod logs;
mod mcp;
mod new;
mod result;
mod resume;
mod run;
mod runs;
mod save;
mod show;
mod steer;
mod watch;
#[cfg(feature = "temporal")]
mod worker;
mod workflows;

use anyhow::Result;
use baton_journal::ControlAction;

use crate::cli::{Cli, Command};

pub fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Resume(args) => resume::resume(*args),
        Command::Runs { json } => runs::runs(json),
        Command::Show { run, json } => show::show(&run, json),
        Command::Result { run } => result::result(&run),
        Command::Logs { run, agent } => logs::logs(&run, agent.as_deref()),
        Command::Stop { run, agent } => match agent {
            Some(agent) => steer::steer(&run, ControlAction::StopAgent(agent)),
            None => steer::steer(&run, ControlAction::Stop),
        },
        Command::Pause { run } => steer::steer(&run, ControlAction::Pause),
        Command::Unpause { run } => steer::steer(&run, ControlAction::Unpause),
        Command::Watch { run } => watch::watch(run.as_deref()),
        Command::Check { file, json } => check::check(&file, json),
        Command::Workflows { json } => workflows::workflows(json),
        Command::Save(args) => save::save(&args),
        Command::Config(settings) => config::config(&settings),
        Command::New(args) => new::new(*args),
        Command::Guide { topic } => guide::guide(topic.as_deref()),
        Command::Mcp => mcp::mcp(),
        #[cfg(feature = "temporal")]
        Command::Worker(args) => worker::worker(*args),
        #[cfg(not(feature = "temporal"))]
        Command::Worker(_) => anyhow::bail!(
            "baton worker: this baton was built without Temporal; build one with `cargo build \
             --release -p baton --features temporal` (needs protoc: apt install protobuf-compiler)"
        ),
    }
}
