//! `baton worker`: runs agents handed out through Temporal, with this machine's model keys,
//! config, tools and permission rules, in the directory it was started in.

use anyhow::{Context, Result};
use baton_temporal::{run_worker, WorkerConfig};

use crate::cli::WorkerArgs;
use crate::executor::temporal_settings;
use crate::model_choice;
use crate::permissions;
use crate::settings::Settings;
use crate::workspace::home_dir;

pub fn worker(args: WorkerArgs) -> Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let temporal = temporal_settings(&args.settings.executor)?;
    let home = home_dir();
    let settings = Settings::resolve(&args.settings, &cwd, home.as_deref())?;
    let policy = permissions::policy(&settings, &cwd)?;
    let choice = model_choice::choose(&settings, false, &cwd, home.as_deref(), policy)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let config = WorkerConfig {
        temporal,
        slots: args.slots,
        identity: args.identity,
    };
    runtime.block_on(run_worker(config, choice.backend))?;
    Ok(0)
}
