//! One file per subcommand; each returns the process's exit code.

mod check;
mod run;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Check { file } => check::check(&file),
    }
}
