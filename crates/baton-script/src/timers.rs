//! `setTimeout` on the script's thread, and the run's logical clock.
//!
//! Timers wait in real time (they are for backoff between rounds), but the clock the script
//! reads through `Date` moves only by the delays it has waited for, starting at the run's
//! recorded start time. That keeps `Date.now()` identical when a run is resumed.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Timers {
    start_ms: f64,
    /// Logical milliseconds elapsed: the latest fired timer's logical deadline.
    logical_elapsed_ms: f64,
    next_id: u64,
    by_deadline: BTreeSet<(Instant, u64)>,
    timers: HashMap<u64, (Instant, f64)>,
}

impl Timers {
    pub fn new(start_ms: f64) -> Self {
        Timers {
            start_ms,
            logical_elapsed_ms: 0.0,
            next_id: 1,
            by_deadline: BTreeSet::new(),
            timers: HashMap::new(),
        }
    }

    /// The logical clock, in milliseconds since the epoch.
    pub fn now_ms(&self) -> f64 {
        self.start_ms + self.logical_elapsed_ms
    }

    pub fn schedule(&mut self, delay_ms: f64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let deadline = Instant::now() + Duration::from_secs_f64(delay_ms.max(0.0) / 1000.0);
        self.by_deadline.insert((deadline, id));
        self.timers
            .insert(id, (deadline, self.logical_elapsed_ms + delay_ms.max(0.0)));
        id
    }

    pub fn cancel(&mut self, id: u64) {
        if let Some((deadline, _)) = self.timers.remove(&id) {
            self.by_deadline.remove(&(deadline, id));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.timers.is_empty()
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.by_deadline.first().map(|(deadline, _)| *deadline)
    }

    /// Removes and returns the timers due by `now`, earliest first, advancing the logical clock.
    pub fn take_due(&mut self, now: Instant) -> Vec<u64> {
        let mut due = Vec::new();
        while let Some(&(deadline, id)) = self.by_deadline.first() {
            if deadline > now {
                break;
            }
            self.by_deadline.pop_first();
            if let Some((_, logical)) = self.timers.remove(&id) {
                self.logical_elapsed_ms = self.logical_elapsed_ms.max(logical);
            }
            due.push(id);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_moves_only_by_waited_delays() {
        let mut timers = Timers::new(1_000.0);
        let a = timers.schedule(0.0);
        let b = timers.schedule(250.0);
        assert_eq!(timers.now_ms(), 1_000.0);
        assert_eq!(timers.take_due(Instant::now()), vec![a]);
        let later = Instant::now() + Duration::from_secs(1);
        assert_eq!(timers.take_due(later), vec![b]);
        assert_eq!(timers.now_ms(), 1_250.0);
        assert!(timers.is_empty());
    }

    #[test]
    fn cancelled_timers_never_fire() {
        let mut timers = Timers::new(0.0);
        let a = timers.schedule(0.0);
        timers.cancel(a);
        assert!(timers
            .take_due(Instant::now() + Duration::from_secs(1))
            .is_empty());
        assert!(timers.next_deadline().is_none());
    }
}
