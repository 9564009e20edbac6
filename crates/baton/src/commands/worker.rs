//! `baton worker`: runs agents handed out through Temporal, with this machine's model keys,
//! config, tools and permission rules, in the directory it was started in.

use anyhow::{Context, Result};
use baton_temporal::{run_worker, WorkerConfig};

use crate::cli::WorkerArgs;
use crate::executor::temporal_settings;
use crate::executor_settings;
use crate::extensions::Extensions;
use crate::model_choice;
use crate::permissions;
use crate::settings::Settings;
use crate::workspace::home_dir;

pub fn worker(args: WorkerArgs) -> Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let home = home_dir();
    let executor = executor_settings::resolve(&args.settings.executor, &cwd, home.as_deref())?;
    let temporal = temporal_settings(&executor)?;
    let settings = Settings::resolve(&args.settings, &cwd, home.as_deref())?;
    let policy = permissions::policy(&settings, &cwd)?;
    // This machine's MCP servers and web tools, as a local run here would offer them.
    let extensions = Extensions::configure(&cwd, home.as_deref())?;
    // No script here: each call's model was resolved by its coordinator.
    let choice = model_choice::choose(
        &settings,
        false,
        &cwd,
        home.as_deref(),
        policy,
        &[],
        extensions.providers(),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let config = WorkerConfig {
        temporal,
        slots: args.slots,
        identity: args.identity,
        workspace: cwd,
    };
    let ran = runtime.block_on(run_worker(config, choice.backend));
    runtime.block_on(extensions.close());
    ran?;
    Ok(0)
}
