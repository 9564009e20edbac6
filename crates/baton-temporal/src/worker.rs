//! `baton worker`: connects to Temporal, polls the task queue and runs up to `slots` agents at
//! once, each as one `baton.agent` activity.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Result};
use baton_model::AgentBackend;
use temporalio_sdk::runtime::worker_tuner::{FixedSizeSlotSupplier, TunerHolder};
use temporalio_sdk::{Runtime, Worker, WorkerOptions};

use crate::activity::AgentActivities;
use crate::connect::{connect, TemporalConfig};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub temporal: TemporalConfig,
    /// Agents this worker runs at once.
    pub slots: usize,
    /// Names the worker in Temporal and in reports; host and pid when not given.
    pub identity: Option<String>,
    /// Where the worker runs: a checkout of the workspace repository.
    pub workspace: std::path::PathBuf,
}

/// Runs the worker until the process is stopped. Call inside a tokio runtime.
pub async fn run_worker(config: WorkerConfig, backend: Arc<dyn AgentBackend>) -> Result<()> {
    let identity = config.identity.clone().unwrap_or_else(default_identity);
    let client = connect(&config.temporal, Some(identity.clone())).await?;
    let runtime = Runtime::from_current_tokio(Default::default())
        .map_err(|e| anyhow!("cannot start Temporal's worker runtime: {e}"))?;
    let slots = config.slots.max(1);
    let tuner = TunerHolder::builder()
        .workflow_task_slot_supplier(FixedSizeSlotSupplier::new(1))
        .activity_task_slot_supplier(FixedSizeSlotSupplier::new(slots))
        .local_activity_task_slot_supplier(FixedSizeSlotSupplier::new(1))
        .nexus_task_slot_supplier(FixedSizeSlotSupplier::new(1))
        .build();
    // Progress goes out about once a second: the coordinator's monitor reads it, and a
    // cancellation reaches the worker only in a heartbeat's answer.
    let beat = Duration::from_secs(1).min(config.temporal.heartbeat_timeout / 4);
    let options = WorkerOptions::new(config.temporal.task_queue.clone())
        .tuner(tuner)
        .default_heartbeat_throttle_interval(beat)
        .max_heartbeat_throttle_interval(beat)
        .register_activities(AgentActivities {
            backend,
            worker: identity.clone(),
            beat_every: beat,
            workspace: config.workspace.clone(),
            git_lock: Default::default(),
        })
        .build();
    let mut worker = Worker::new(&runtime, client, options)
        .map_err(|e| anyhow!("cannot start the Temporal worker: {e}"))?;
    eprintln!(
        "baton worker {identity}: polling {} on {} (namespace {}), {slots} slots",
        config.temporal.task_queue, config.temporal.address, config.temporal.namespace
    );
    worker
        .run()
        .await
        .map_err(|e| anyhow!("the Temporal worker stopped: {e}"))
}

fn default_identity() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}-{}", std::process::id())
}
