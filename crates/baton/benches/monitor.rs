//! What the live monitor costs: `baton run` with 1000 agents on `sim` at 50 ms, 16 in flight,
//! once with stderr a pseudo-terminal (the monitor draws) and once with stderr to /dev/null
//! (plain lines, thrown away). The difference in the process's CPU time over the run's wall
//! time is the monitor's share of one core (target < 5 %). The terminal's side (reading and
//! parsing what is drawn) happens in this process and is not counted, as a real terminal
//! emulator's work is not baton's.
//!
//! `cargo bench -p baton --bench monitor`

#[path = "../tests/support/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = r#"export const meta = { name: "bench", description: "1000 agents in two phases", phases: [{ title: "scan" }, { title: "check" }] };
phase("scan");
const found = await parallel(Array.from({ length: 500 }, (_, i) => () => agent(`scan ${i}`, { label: `scan-${i}` })));
phase("check");
const checked = await parallel(found.map((f, i) => () => agent(`check ${i}`, { label: `check-${i}` })));
return checked.filter((r) => r !== null).length;
"#;

const RUNS: usize = 3;

struct Measured {
    cpu: Duration,
    wall: Duration,
}

fn main() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("bench.workflow.js"), SCRIPT).expect("write the script");
    println!("Monitor benchmark: 1000 agents on sim at 50 ms, concurrency 16, {RUNS} runs each");
    let plain = median(|| measure_plain(dir.path()));
    let wide = median(|| measure_in_terminal(dir.path(), 40, 120));
    let small = median(|| measure_in_terminal(dir.path(), 24, 80));
    report("plain lines to /dev/null", &plain, None);
    report("monitor, 120x40 terminal", &wide, Some(&plain));
    report("monitor, 80x24 terminal", &small, Some(&plain));
}

fn command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .args([
            "run",
            "bench.workflow.js",
            "--model",
            "sim",
            "--sim-latency",
            "50ms",
            "--concurrency",
            "16",
            "--yes",
        ])
        .current_dir(dir)
        .env("HOME", dir)
        .env("BATON_HOME", dir.join(".baton"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("BATON_MODEL");
    command
}

fn measure_plain(dir: &std::path::Path) -> Measured {
    let mut command = command(dir);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    children_usage(|| {
        let status = command.status().expect("run baton");
        assert!(status.success(), "baton failed: {status}");
    })
}

fn measure_in_terminal(dir: &std::path::Path, rows: u16, cols: u16) -> Measured {
    children_usage(|| {
        let terminal = pty::Pty::spawn(command(dir), rows, cols);
        let (status, screen) = terminal.wait();
        assert!(status.success(), "baton failed: {status}\n{screen}");
    })
}

/// CPU time of the children waited for inside `run`, and its wall time.
fn children_usage(run: impl FnOnce()) -> Measured {
    let cpu = || {
        // SAFETY: an all-zero `rusage` is valid for getrusage to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to our own struct.
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
        let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        seconds(usage.ru_utime) + seconds(usage.ru_stime)
    };
    let (before, started) = (cpu(), Instant::now());
    run();
    Measured {
        wall: started.elapsed(),
        cpu: cpu() - before,
    }
}

/// The run with the median CPU time of [`RUNS`].
fn median(mut measure: impl FnMut() -> Measured) -> Measured {
    let mut runs: Vec<Measured> = (0..RUNS).map(|_| measure()).collect();
    runs.sort_by_key(|m| m.cpu);
    runs.swap_remove(RUNS / 2)
}

fn report(what: &str, measured: &Measured, baseline: Option<&Measured>) {
    print!(
        "{what}: CPU {:.3} s over {:.3} s",
        measured.cpu.as_secs_f64(),
        measured.wall.as_secs_f64()
    );
    match baseline {
        Some(base) => {
            let extra = measured.cpu.as_secs_f64() - base.cpu.as_secs_f64();
            println!(
                " · the monitor: {:+.3} s CPU = {:.2} % of one core (target < 5 %)",
                extra,
                extra / measured.wall.as_secs_f64() * 100.0
            );
        }
        None => println!(),
    }
}
