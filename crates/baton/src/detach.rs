//! `baton run --detach`: the same command again as a background process with its own process
//! group (Ctrl-C and a closed terminal don't reach it), its output in a log file beside the
//! journal. This process waits until the run is in the journal, so `baton watch|show|stop`
//! work the moment its id is printed, and reports a run that could not start as if it had run
//! here.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use baton_journal::Store;
use baton_model::RunId;

use crate::exit;

/// How long the run may take to appear in the journal (it reads and checks the script first).
const START_WAIT: Duration = Duration::from_secs(30);

pub fn detach(run_id: &RunId, journal_dir: &Path) -> Result<i32> {
    let logs = journal_dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let log_path = logs.join(format!("{run_id}.log"));
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let exe = std::env::current_exe().context("cannot find the baton executable to start")?;
    let mut child = Command::new(exe)
        .args(background_args(run_id))
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the log file")?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .context("cannot start the run in the background")?;

    let deadline = Instant::now() + START_WAIT;
    loop {
        if let Some(status) = child
            .try_wait()
            .context("cannot watch the background run")?
        {
            // It ended before we saw it start: a bad script, bad args, a missing key. Its own
            // words say what to do.
            let said = std::fs::read_to_string(&log_path).unwrap_or_default();
            eprint!("{said}");
            return Ok(status.code().unwrap_or(exit::FAILED));
        }
        let recorded = Store::open(journal_dir)
            .ok()
            .is_some_and(|store| store.run(run_id.as_str()).is_ok());
        if recorded {
            break;
        }
        if Instant::now() >= deadline {
            eprintln!(
                "baton: run {run_id} has not started within {}s; its output so far is in {}",
                START_WAIT.as_secs(),
                log_path.display()
            );
            return Ok(exit::FAILED);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("{run_id}");
    eprintln!(
        "baton: run {run_id} goes on in the background (pid {}); `baton watch {run_id}` shows it, \
         `baton stop {run_id}` stops it, `baton result {run_id}` prints its result; its output \
         goes to {}",
        child.id(),
        log_path.display()
    );
    Ok(exit::COMPLETED)
}

/// This command's own arguments, without `--detach`, naming the run so both processes agree on
/// its id.
fn background_args(run_id: &RunId) -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|arg| arg != "--detach")
        .collect();
    args.push("--run-id".into());
    args.push(run_id.to_string().into());
    args
}
