//! Stopping a remote agent: when the coordinator stops waiting for an activity (the run or
//! the agent was stopped, which drops the agent's future), the activity is cancelled, and its
//! worker stops the agent when a heartbeat's answer tells it. The cancel requests are sent
//! from spawned tasks (`Drop` cannot await); `Cancellations` lets the process wait for them
//! before it exits, since a runtime shut down under them would drop them unsent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use temporalio_client::{ActivityCancelOptions, Client};
use tokio::task::JoinHandle;

use crate::activity::AgentActivities;

/// How long an exiting coordinator waits for its cancel requests to reach the server.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// Cancel requests still in flight.
#[derive(Clone, Default)]
pub struct Cancellations(Arc<Mutex<Vec<JoinHandle<()>>>>);

impl Cancellations {
    /// Waits (up to 10 s) until every cancel request sent so far got its answer.
    pub async fn settle(&self) {
        let pending = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        let all = futures::future::join_all(pending);
        let _ = tokio::time::timeout(SETTLE_LIMIT, all).await;
    }

    fn push(&self, task: JoinHandle<()>) {
        let mut pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|t| !t.is_finished());
        pending.push(task);
    }
}

/// Cancels the activity `id` when dropped while armed.
pub(crate) struct CancelOnDrop {
    client: Client,
    id: String,
    cancels: Cancellations,
    armed: bool,
}

impl CancelOnDrop {
    pub fn new(client: Client, id: String, cancels: Cancellations) -> CancelOnDrop {
        CancelOnDrop {
            client,
            id,
            cancels,
            armed: true,
        }
    }

    /// The activity closed on its own: nothing to cancel.
    pub fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let client = self.client.clone();
        let id = self.id.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let task = runtime.spawn(async move {
                let handle = client.get_activity_handle(AgentActivities::agent, id, None);
                let options = ActivityCancelOptions::builder()
                    .reason("stopped by the coordinator")
                    .build();
                let _ = handle.cancel(options).await;
            });
            self.cancels.push(task);
        }
    }
}
