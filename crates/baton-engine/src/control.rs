//! Steering a run from any thread: stop it, pause and unpause it, stop or restart one agent.
//! The monitor's keys and `baton stop|pause|unpause` (through the journal) end up here.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use baton_model::{Event, EventSink};
use baton_script::{InboxMessage, InboxSender};
use tokio::sync::watch;

/// A handle on one run; clones steer the same run. Made before the run starts, so a caller
/// can hold it while `run_workflow` blocks.
#[derive(Clone)]
pub struct RunControl {
    /// Read by the script's interrupt handler: set, the script stops even mid-computation.
    pub(crate) stopped: Arc<AtomicBool>,
    paused: Arc<watch::Sender<bool>>,
    /// Serializes pause and unpause, so their events come in the order they took effect.
    pausing: Arc<Mutex<()>>,
    live: Arc<Mutex<Live>>,
}

impl std::fmt::Debug for RunControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("stopped", &self.is_stopped())
            .field("paused", &self.is_paused())
            .finish()
    }
}

/// What only exists while the run runs.
#[derive(Default)]
struct Live {
    inbox: Option<InboxSender>,
    events: Option<Arc<dyn EventSink>>,
    /// Agents queued or at work, by call number.
    agents: BTreeMap<u64, AgentHandle>,
}

struct AgentHandle {
    label: Option<String>,
    orders: watch::Sender<Order>,
}

/// What the user asked of one running agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Work,
    Stop,
    Restart,
}

impl Default for RunControl {
    fn default() -> Self {
        RunControl {
            stopped: Arc::default(),
            paused: Arc::new(watch::channel(false).0),
            pausing: Arc::default(),
            live: Arc::default(),
        }
    }
}

impl RunControl {
    /// Stops the run: the script is interrupted, agents in flight are cancelled (the script
    /// gets `null` for them), and the run ends `stopped`.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        if let Some(inbox) = &self.live().inbox {
            let _ = inbox.send(InboxMessage::Stop);
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// No new agent starts until [`RunControl::unpause`]; running ones finish. Returns false
    /// when the run was paused already.
    pub fn pause(&self) -> bool {
        self.set_paused(true)
    }

    pub fn unpause(&self) -> bool {
        self.set_paused(false)
    }

    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }

    fn set_paused(&self, paused: bool) -> bool {
        // One change at a time, said before it takes effect: nobody hears of an agent
        // starting after an unpause before they hear of the unpause.
        let _one_at_a_time = self.pausing.lock().unwrap_or_else(|e| e.into_inner());
        if self.is_paused() == paused {
            return false;
        }
        let events = self.live().events.clone();
        if let Some(events) = events {
            events.emit(if paused {
                Event::RunPaused
            } else {
                Event::RunUnpaused
            });
        }
        self.paused.send_replace(paused);
        true
    }

    /// Stops one queued or running agent: the script gets `null` for it. False when it is
    /// neither.
    pub fn stop_agent(&self, seq: u64) -> bool {
        self.order(seq, Order::Stop)
    }

    /// Drops what one running agent did so far and starts it again with the same prompt and
    /// options (a queued one is left to start as it would). False when it is neither queued
    /// nor running.
    pub fn restart_agent(&self, seq: u64) -> bool {
        self.order(seq, Order::Restart)
    }

    /// The queued and running agents a selector names: `#N` is call number N, anything else a
    /// label (labels need not be unique, so several may match).
    pub fn agents_named(&self, selector: &str) -> Vec<u64> {
        let by_seq = selector
            .strip_prefix('#')
            .and_then(|n| n.parse::<u64>().ok());
        self.live()
            .agents
            .iter()
            .filter(|(seq, agent)| match by_seq {
                Some(n) => **seq == n,
                None => agent.label.as_deref() == Some(selector),
            })
            .map(|(seq, _)| *seq)
            .collect()
    }

    fn order(&self, seq: u64, order: Order) -> bool {
        match self.live().agents.get(&seq) {
            Some(agent) => agent.orders.send(order).is_ok(),
            None => false,
        }
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called by the run as it starts; a stop asked for before it lands at once.
    pub(crate) fn attach(&self, inbox: InboxSender, events: Arc<dyn EventSink>) {
        // Paused before it started (the monitor's key, or a test): said like any pause.
        if self.is_paused() {
            events.emit(Event::RunPaused);
        }
        let mut live = self.live();
        live.inbox = Some(inbox);
        live.events = Some(events);
    }

    pub(crate) fn detach(&self) {
        *self.live() = Live::default();
    }

    /// Waits until the run is not paused.
    pub(crate) async fn unpaused(&self) {
        let mut paused = self.paused.subscribe();
        // The sender lives as long as `self`, so this only ends when unpaused.
        let _ = paused.wait_for(|paused| !paused).await;
    }

    /// Registers a queued agent; its orders arrive on the returned receiver until
    /// [`RunControl::forget`].
    pub(crate) fn register(&self, seq: u64, label: Option<String>) -> watch::Receiver<Order> {
        let (orders, receiver) = watch::channel(Order::Work);
        self.live()
            .agents
            .insert(seq, AgentHandle { label, orders });
        receiver
    }

    pub(crate) fn forget(&self, seq: u64) {
        self.live().agents.remove(&seq);
    }
}
