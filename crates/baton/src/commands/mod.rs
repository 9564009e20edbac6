//! One file per subcommand; each returns the process's exit code.

mod check;
mod config;
pub mod dry_run;
mod journal_view;
mod launch;
mod logs;
mod result;
mod resume;
mod run;
mod runs;
mod show;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Resume(args) => resume::resume(*args),
        Command::Runs { json } => runs::runs(json),
        Command::Show { run, json } => show::show(&run, json),
        Command::Result { run } => result::result(&run),
        Command::Logs { run, agent } => logs::logs(&run, agent.as_deref()),
        Command::Check { file } => check::check(&file),
        Command::Config(settings) => config::config(&settings),
    }
}
