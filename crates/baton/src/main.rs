//! The `baton` command line: parses arguments, runs one subcommand, maps the outcome to the
//! exit codes of SPEC §8. Logic lives in the library crates; this is wiring.

mod accounting;
mod args_input;
mod author_checks;
mod cli;
mod commands;
mod config;
mod cost_guard;
mod cost_split;
mod csv;
mod detach;
mod estimate;
#[cfg(feature = "temporal")]
mod executor;
mod executor_settings;
mod exit;
mod extensions;
mod input_rows;
mod json_events;
mod model_check;
mod model_choice;
mod output;
mod permissions;
mod preflight;
mod progress;
mod remote_control;
mod script_report;
mod settings;
mod signals;
mod stdin_args;
mod workspace;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match commands::dispatch(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            exit::USAGE
        }
    };
    std::process::exit(code);
}
