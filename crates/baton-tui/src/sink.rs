//! The run's side of the monitor: an [`EventSink`] that stamps each event with the wall
//! clock and sends it down an unbounded channel. Sending never blocks and never fails the
//! run: once the monitor is gone (the user left), events are dropped.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{SystemTime, UNIX_EPOCH};

use baton_model::{Event, EventSink};

use crate::Timed;

#[derive(Debug, Clone)]
pub struct MonitorSink {
    sender: Sender<Timed>,
}

impl MonitorSink {
    pub fn new(sender: Sender<Timed>) -> Self {
        MonitorSink { sender }
    }

    /// A sink and the receiver to hand to [`crate::run_monitor`].
    pub fn channel() -> (MonitorSink, Receiver<Timed>) {
        let (sender, receiver) = channel();
        (MonitorSink { sender }, receiver)
    }
}

impl EventSink for MonitorSink {
    fn emit(&self, event: Event) {
        let at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let _ = self.sender.send(Timed { at_ms, event });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_arrive_stamped_and_a_gone_monitor_is_no_error() {
        let (sink, receiver) = MonitorSink::channel();
        sink.emit(Event::RunPaused);
        let timed = receiver.try_recv().unwrap();
        assert_eq!(timed.event, Event::RunPaused);
        assert!(timed.at_ms > 1_600_000_000_000);
        drop(receiver);
        sink.emit(Event::RunUnpaused);
    }
}
