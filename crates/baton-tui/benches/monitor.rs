//! What the monitor costs while a run goes on: 1000 agents, 16 in flight, 50 ms each (about
//! 3.2 s of run and 8,000 events: queued, started, two turns, a tool call and its result,
//! finished), drawn at 10 frames a second.
//!
//! 1. Accounted: CPU per event (`Monitor::apply`) and per frame (a 120×40 `TestBackend`, and
//!    ratatui's crossterm backend writing escape sequences to a sink), replayed in simulated
//!    time; share of one core = (events × per event + frames × per frame) / run time.
//! 2. Real time: a producer thread sends the events at their times while the real loop
//!    (`drive`) runs on a crossterm backend into a sink; the loop thread's CPU time over the
//!    wall time is its share of one core.
//!
//! CPU is the thread's own (`CLOCK_THREAD_CPUTIME_ID`). Target: under 5 % of one core.
//!
//! `cargo bench -p baton-tui --bench monitor`

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::channel;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use baton_model::{AgentEnd, AgentNote, CallKey, Event, LogLevel, RunId, RunStatus, Usage};
use baton_tui::crossterm::event::Event as Input;
use baton_tui::{drive, Action, Caps, Monitor, MonitorOptions, Screen, Timed};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal, TerminalOptions, Viewport};
use serde_json::json;

const AGENTS: u64 = 1000;
const SLOTS: u64 = 16;
const AGENT_MS: i64 = 50;
const FPS: u32 = 10;
const ROUNDS: usize = 5;

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cost_usd: (input * 3 + output * 15) as f64 / 1e6,
        ..Usage::default()
    }
}

/// The run's events, `at_ms` from 0, in time order: every call queued at once, then 16 slots
/// each taking the next call for 50 ms.
fn events() -> Vec<Timed> {
    let mut out = Vec::new();
    let mut at = |at_ms: i64, event: Event| out.push(Timed { at_ms, event });
    at(
        0,
        Event::RunStarted {
            run_id: RunId::parse("wf_0123456789ab").unwrap(),
            workflow: "fan-out".into(),
            phases: vec!["Fan out".into(), "Collect".into()],
        },
    );
    at(
        0,
        Event::PhaseStarted {
            title: "Fan out".into(),
        },
    );
    let phase = Some("Fan out".to_string());
    for seq in 1..=AGENTS {
        at(
            1,
            Event::AgentQueued {
                seq,
                key: CallKey(format!("{seq:064x}")),
                occurrence: 0,
                label: Some(format!("task-{seq}")),
                phase: phase.clone(),
                model: "anthropic:claude-sonnet-4-5".into(),
                prompt: format!("Task {seq}: read the crate, run its tests, report failures."),
                options: Box::default(),
            },
        );
    }
    for seq in 1..=AGENTS {
        let label = Some(format!("task-{seq}"));
        let start = 1 + ((seq - 1) / SLOTS) as i64 * AGENT_MS;
        let note = |note| Event::AgentNote {
            seq,
            label: label.clone(),
            note,
        };
        at(
            start,
            Event::AgentStarted {
                seq,
                label: label.clone(),
                phase: phase.clone(),
                model: "anthropic:claude-sonnet-4-5".into(),
            },
        );
        at(
            start + 10,
            note(AgentNote::Turn {
                turn: 1,
                usage: usage(3_000, 200),
                text: "Running the crate's tests first.".into(),
            }),
        );
        at(
            start + 12,
            note(AgentNote::ToolCall {
                turn: 1,
                name: "Bash".into(),
                summary: format!("Bash: cargo test -p crate-{seq}"),
                input: json!({"command": format!("cargo test -p crate-{seq}")}),
            }),
        );
        at(
            start + 30,
            note(AgentNote::ToolResult {
                name: "Bash".into(),
                is_error: false,
                content: "running 12 tests\n............\ntest result: ok. 12 passed; 0 failed"
                    .repeat(4),
            }),
        );
        at(
            start + 45,
            note(AgentNote::Turn {
                turn: 2,
                usage: usage(3_400, 150),
                text: "All tests pass.".into(),
            }),
        );
        let end = if seq % 20 == 0 {
            AgentEnd::Null {
                reason: "timed out after 50ms".into(),
            }
        } else {
            AgentEnd::Completed {
                value: json!({"failures": 0, "crate": format!("crate-{seq}")}),
            }
        };
        at(
            start + AGENT_MS,
            Event::AgentFinished {
                seq,
                label: label.clone(),
                phase: phase.clone(),
                end,
                usage: usage(6_400, 350),
                elapsed_ms: AGENT_MS as u64,
            },
        );
        if seq % 100 == 0 {
            at(
                start + AGENT_MS,
                Event::Log {
                    level: LogLevel::Info,
                    text: format!("{seq} of {AGENTS} done"),
                },
            );
        }
    }
    let last = out.iter().map(|t| t.at_ms).max().unwrap_or(0);
    out.push(Timed {
        at_ms: last + 1,
        event: Event::RunFinished {
            status: RunStatus::Completed,
            error: None,
        },
    });
    out.sort_by_key(|t| t.at_ms);
    out
}

fn options() -> MonitorOptions {
    MonitorOptions {
        caps: Caps {
            max_agents: Some(1000),
            concurrency: Some(SLOTS),
            budget_tokens: None,
            max_cost_usd: None,
        },
        fps: FPS,
        ..MonitorOptions::default()
    }
}

/// Counts what the crossterm backend would send to the terminal.
#[derive(Default, Clone)]
struct Counting(Arc<AtomicU64>);

impl Counting {
    fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn fixed(width: u16, height: u16) -> TerminalOptions {
    TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// CPU per event: the whole run applied to a fresh monitor.
fn per_event(events: &[Timed]) -> f64 {
    median(
        (0..ROUNDS)
            .map(|_| {
                let mut monitor = Monitor::new(options());
                let start = thread_cpu();
                for timed in events {
                    monitor.apply(timed);
                }
                (thread_cpu() - start).as_secs_f64() / events.len() as f64
            })
            .collect(),
    )
}

/// CPU per frame: the run replayed in simulated time, a frame every 1/FPS s; only drawing
/// is timed. Returns (seconds per frame, frames, bytes per frame).
fn per_frame<F>(events: &[Timed], mut draw: F) -> (f64, usize)
where
    F: FnMut(&mut Monitor, i64),
{
    let tick = 1000 / i64::from(FPS);
    let end = events.last().map_or(0, |t| t.at_ms);
    let mut monitor = Monitor::new(options());
    let mut next = 0;
    let mut frames = 0;
    let mut spent = Duration::ZERO;
    let mut now = 0;
    while now <= end + tick {
        while next < events.len() && events[next].at_ms <= now {
            monitor.apply(&events[next]);
            next += 1;
        }
        let start = thread_cpu();
        draw(&mut monitor, now);
        spent += thread_cpu() - start;
        frames += 1;
        now += tick;
    }
    (spent.as_secs_f64() / frames as f64, frames)
}

struct SinkScreen {
    terminal: Terminal<CrosstermBackend<BufWriter<Counting>>>,
    frames: usize,
}

impl Screen for SinkScreen {
    fn draw(&mut self, render: &mut dyn FnMut(&mut Frame)) -> io::Result<()> {
        self.frames += 1;
        self.terminal.draw(|frame| render(frame))?;
        Ok(())
    }

    /// No keys: waits as `crossterm::event::poll` would.
    fn input(&mut self, timeout: Duration) -> io::Result<Option<Input>> {
        std::thread::sleep(timeout);
        Ok(None)
    }

    fn edit(&mut self, _: &Path) -> Result<(), String> {
        Ok(())
    }

    fn interrupt(&mut self) -> bool {
        true
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The real loop while a producer sends the events at their times. Returns (loop CPU, wall,
/// frames, bytes written).
fn real_time(events: &[Timed], width: u16, height: u16) -> (Duration, Duration, usize, u64) {
    let (sender, receiver) = channel();
    let events = events.to_vec();
    let started = Instant::now();
    let base = now_ms();
    let producer = std::thread::spawn(move || {
        for mut timed in events {
            let due = started + Duration::from_millis(timed.at_ms as u64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            timed.at_ms += base;
            if sender.send(timed).is_err() {
                return;
            }
        }
    });
    let counting = Counting::default();
    let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, counting.clone()));
    let mut screen = SinkScreen {
        terminal: Terminal::with_options(backend, fixed(width, height)).unwrap(),
        frames: 0,
    };
    let mut monitor = Monitor::new(options());
    let mut steer = |_: Action| Ok(());
    let cpu = thread_cpu();
    drive(&mut screen, receiver, &mut steer, &mut monitor).unwrap();
    let cpu = thread_cpu() - cpu;
    let wall = started.elapsed();
    producer.join().unwrap();
    screen.terminal.backend_mut().flush().unwrap();
    (cpu, wall, screen.frames, counting.bytes())
}

fn main() {
    let events = events();
    let run_ms = events.last().map_or(0, |t| t.at_ms) as f64;
    println!(
        "monitor benchmark: {AGENTS} agents, {SLOTS} in flight, {AGENT_MS} ms each: {} events over {:.2} s, {FPS} fps",
        events.len(),
        run_ms / 1000.0
    );

    let event_cost = per_event(&events);
    println!(
        "  per event (apply):                  {:>8.2} µs",
        event_cost * 1e6
    );

    for (width, height) in [(120u16, 40u16), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let (test_frame, frames) = per_frame(&events, |monitor, now| {
            terminal.draw(|frame| monitor.draw(frame, now)).unwrap();
        });
        let counting = Counting::default();
        let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, counting.clone()));
        let mut terminal = Terminal::with_options(backend, fixed(width, height)).unwrap();
        let (crossterm_frame, _) = per_frame(&events, |monitor, now| {
            terminal.draw(|frame| monitor.draw(frame, now)).unwrap();
        });
        terminal.backend_mut().flush().unwrap();
        let bytes = counting.bytes();
        let share = (events.len() as f64 * event_cost + frames as f64 * crossterm_frame)
            / (run_ms / 1000.0);
        println!(
            "  {width}×{height}: per frame {:>7.1} µs on TestBackend, {:>7.1} µs on crossterm ({} bytes/frame); {frames} frames",
            test_frame * 1e6,
            crossterm_frame * 1e6,
            bytes / frames as u64
        );
        println!(
            "  {width}×{height}: accounted share of one core: {:.2} %",
            share * 100.0
        );
    }

    let mut shares = Vec::new();
    for round in 0..3 {
        let (cpu, wall, frames, bytes) = real_time(&events, 120, 40);
        let share = cpu.as_secs_f64() / wall.as_secs_f64();
        shares.push(share);
        println!(
            "  real time #{}: loop CPU {:.1} ms over {:.2} s wall, {frames} frames, {} KiB written: {:.2} % of one core",
            round + 1,
            cpu.as_secs_f64() * 1e3,
            wall.as_secs_f64(),
            bytes / 1024,
            share * 100.0
        );
    }
    let share = median(shares);
    println!(
        "monitor cost while the run goes on: {:.2} % of one core (median, real time, 120×40; target < 5 %)",
        share * 100.0
    );
}
