//! Where a run's agents run: in this process (`local`), or on `baton worker`s through Temporal
//! (`temporal`), with the script, caps, budget, monitor and journal staying here.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use baton_model::AgentBackend;
use baton_temporal::{connect, Cancellations, TemporalBackend, TemporalConfig};

use crate::cli::ExecutorArgs;

/// The Temporal settings, or `None` under the local executor.
pub fn temporal_config(args: &ExecutorArgs) -> Result<Option<TemporalConfig>> {
    match args.executor.as_deref().unwrap_or("local") {
        "local" => Ok(None),
        "temporal" => temporal_settings(args).map(Some),
        other => bail!("--executor {other}: expected local or temporal (BATON_EXECUTOR)"),
    }
}

/// The `[temporal]` settings from the flags (or their variables); a worker needs them always.
pub fn temporal_settings(args: &ExecutorArgs) -> Result<TemporalConfig> {
    let address = args.temporal_address.clone().ok_or_else(|| {
        anyhow!("the temporal executor needs the server's address: --temporal HOST:PORT (or BATON_TEMPORAL_ADDRESS)")
    })?;
    let mut config = TemporalConfig::new(address);
    if let Some(namespace) = &args.namespace {
        config.namespace = namespace.clone();
    }
    if let Some(queue) = &args.task_queue {
        config.task_queue = queue.clone();
    }
    if let Some(secs) = args.heartbeat_secs {
        if !(secs.is_finite() && secs >= 1.0) {
            bail!("--heartbeat-secs {secs}: expected a number of seconds, 1 or more");
        }
        config.heartbeat_timeout = Duration::from_secs_f64(secs);
    }
    Ok(config)
}

/// The backend a run uses: `local` itself, or Temporal in front of it (it still resolves the
/// model names, so the coordinator decides every call's model and identity); with Temporal,
/// the cancellations to wait for before the process exits.
pub fn backend(
    args: &ExecutorArgs,
    local: Arc<dyn AgentBackend>,
    workspace: &Path,
    runtime: &tokio::runtime::Runtime,
) -> Result<(Arc<dyn AgentBackend>, Option<Cancellations>)> {
    let Some(config) = temporal_config(args)? else {
        return Ok((local, None));
    };
    let client = runtime.block_on(connect(&config, None))?;
    let backend = TemporalBackend::new(client, config, local, workspace.to_path_buf());
    let cancels = backend.cancellations();
    let backend = match &args.git_home {
        Some(home) => backend.with_git_home(home.clone()),
        None => backend,
    };
    Ok((Arc::new(backend), Some(cancels)))
}
