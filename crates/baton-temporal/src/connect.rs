//! Where Temporal is and how both sides reach it: the address, namespace, task queue and
//! heartbeat timeout, and the client made from them.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions};

/// The `[temporal]` settings a coordinator and its workers share.
#[derive(Debug, Clone)]
pub struct TemporalConfig {
    /// `HOST:PORT` of the frontend (or a URL).
    pub address: String,
    pub namespace: String,
    pub task_queue: String,
    /// An attempt whose worker sends no heartbeat for this long is given to another worker.
    pub heartbeat_timeout: Duration,
}

impl TemporalConfig {
    pub const DEFAULT_NAMESPACE: &'static str = "default";
    pub const DEFAULT_TASK_QUEUE: &'static str = "baton-agents";
    pub const DEFAULT_HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(10);

    pub fn new(address: impl Into<String>) -> TemporalConfig {
        TemporalConfig {
            address: address.into(),
            namespace: Self::DEFAULT_NAMESPACE.into(),
            task_queue: Self::DEFAULT_TASK_QUEUE.into(),
            heartbeat_timeout: Self::DEFAULT_HEARTBEAT_TIMEOUT,
        }
    }
}

/// A client of the namespace, named `identity` in Temporal's records.
pub async fn connect(config: &TemporalConfig, identity: Option<String>) -> Result<Client> {
    let url = if config.address.contains("://") {
        config.address.clone()
    } else {
        format!("http://{}", config.address)
    };
    let url = temporalio_client::Url::parse(&url)
        .map_err(|e| anyhow!("temporal address '{}': {e}", config.address))?;
    let options = ConnectionOptions::new(url)
        .identity(identity.unwrap_or_else(|| format!("baton-{}", std::process::id())))
        .build();
    let connection = Connection::connect(options).await.with_context(|| {
        format!(
            "cannot reach Temporal at {}: is the server running there (temporal server start-dev)?",
            config.address
        )
    })?;
    Client::new(
        connection,
        ClientOptions::new(config.namespace.clone()).build(),
    )
    .map_err(|e| anyhow!("cannot open namespace {}: {e}", config.namespace))
}
