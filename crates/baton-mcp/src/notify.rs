//! Watching for runs that end, in every workspace the server knows, so clients hear that the
//! resource list changed (a new `baton://runs/<id>/result`). Any process's runs count: one
//! started from a terminal adds a result just the same.

use std::collections::HashSet;
use std::time::Duration;

use baton_journal::Store;

use crate::runs::is_terminal;
use crate::server::BatonServer;

/// How often the journals are looked at; a run journals its end within 100 ms.
const POLL: Duration = Duration::from_millis(250);

pub fn spawn_watcher(server: BatonServer) {
    tokio::spawn(async move {
        let mut ended = ended_runs(&server);
        loop {
            tokio::time::sleep(POLL).await;
            let now = ended_runs(&server);
            if now.difference(&ended).next().is_some() {
                server.resources_changed().await;
            }
            ended = now;
        }
    });
}

/// The ids of the ended runs in every watched workspace.
fn ended_runs(server: &BatonServer) -> HashSet<String> {
    let mut ended = HashSet::new();
    for workspace in server.workspaces() {
        let Ok(store) = Store::open(&workspace.journal_dir) else {
            continue;
        };
        for run in store.runs().unwrap_or_default() {
            if is_terminal(run.status) {
                ended.insert(run.id.as_str().to_string());
            }
        }
    }
    ended
}
