//! The signals that end a run cleanly: Ctrl-C (`SIGINT`), `SIGTERM` (what `kill` and
//! supervisors send) and `SIGHUP` (the terminal went away). Each stops the run the way
//! `baton stop` does (agents cancelled, their Bash process groups killed when their tool
//! futures drop), so the journal is closed as `interrupted` rather than left to look `crashed`,
//! and `baton resume` can pick the run up.

use std::sync::{Arc, Mutex};

use baton_engine::RunControl;
use tokio::signal::unix::{signal, SignalKind};

/// Which signal interrupted the run, if one did.
#[derive(Clone, Default)]
pub struct Interrupted(Arc<Mutex<Option<&'static str>>>);

impl Interrupted {
    pub fn by(&self) -> Option<&'static str> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, name: &'static str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(name);
    }
}

/// Listens on `runtime` for the three signals; the first one stops `control`. A second one
/// changes nothing: the stop is already under way, and the journal must still be closed.
pub fn watch(runtime: &tokio::runtime::Runtime, control: RunControl) -> Interrupted {
    let interrupted = Interrupted::default();
    for (kind, name) in [
        (SignalKind::interrupt(), "SIGINT"),
        (SignalKind::terminate(), "SIGTERM"),
        (SignalKind::hangup(), "SIGHUP"),
    ] {
        // Registered now, before the run starts, so no signal falls in a gap.
        let Ok(mut stream) = runtime.block_on(async { signal(kind) }) else {
            continue;
        };
        let (control, interrupted) = (control.clone(), interrupted.clone());
        runtime.spawn(async move {
            while stream.recv().await.is_some() {
                interrupted.set(name);
                control.stop();
            }
        });
    }
    interrupted
}
