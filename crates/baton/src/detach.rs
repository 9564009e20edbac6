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
use serde_json::Value;

use crate::exit;

/// How long the run may take to appear in the journal (it reads and checks the script first).
const START_WAIT: Duration = Duration::from_secs(30);

pub fn detach(run_id: &RunId, journal_dir: &Path, args: Option<&Value>) -> Result<i32> {
    let logs = journal_dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    // The args as gathered here (standard input may have been read for them, and can't be
    // read twice): the background run takes them instead of its input flags.
    let args_path = logs.join(format!("{run_id}.args.json"));
    let handed = match args {
        Some(args) => serde_json::json!({ "args": args }),
        None => serde_json::json!({}),
    };
    std::fs::write(&args_path, handed.to_string())
        .with_context(|| format!("cannot write {}", args_path.display()))?;
    let log_path = logs.join(format!("{run_id}.log"));
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let exe = std::env::current_exe().context("cannot find the baton executable to start")?;
    let mut child = Command::new(exe)
        .args(background_args(run_id, &args_path))
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the log file")?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .context("cannot start the run in the background")?;

    let deadline = Instant::now() + START_WAIT;
    loop {
        // Asked before `try_wait`: a quick run may have started and ended already.
        let recorded = Store::open(journal_dir)
            .ok()
            .is_some_and(|store| store.run(run_id.as_str()).is_ok());
        if recorded {
            break;
        }
        if let Some(status) = child
            .try_wait()
            .context("cannot watch the background run")?
        {
            // It ended without starting the run: a bad script, bad args, a missing key. Its
            // own words say what to do.
            let said = std::fs::read_to_string(&log_path).unwrap_or_default();
            eprint!("{said}");
            return Ok(status.code().unwrap_or(exit::FAILED));
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
/// its id, and handing over the args.
fn background_args(run_id: &RunId, args_path: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|arg| arg != "--detach")
        .collect();
    let given = |flag: &str| {
        args.iter()
            .any(|a| a == flag || a.to_string_lossy().starts_with(&format!("{flag}=")))
    };
    if !given("--run-id") {
        args.push("--run-id".into());
        args.push(run_id.to_string().into());
    }
    args.push("--resolved-args".into());
    args.push(args_path.into());
    args
}

/// The args a detaching process handed over (see [`detach`]).
pub fn read_args(path: &Path) -> Result<Option<Value>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the handed-over args {}", path.display()))?;
    let handed: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not the args baton wrote", path.display()))?;
    Ok(handed.get("args").cloned())
}
