//! The Bash tool: runs a shell command in the agent's cwd with a timeout, captures its output,
//! and makes sure nothing it started outlives the call.
//!
//! The command runs in its own process group. When the call ends — the shell exits, the
//! timeout fires, the agent is cancelled, or the call's future is dropped — the whole group is
//! killed with SIGKILL, so background children (`server &`) and grandchildren go too, and a
//! child that keeps the output pipe open cannot make the call hang.

use std::io;
use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};
use tokio::sync::watch;

use crate::input::Input;
use crate::output::Capture;
use crate::{ToolContext, ToolResult};

/// How long output is still read after the shell has exited and its group was killed. Only a
/// process that left the group (`setsid`) can hold the pipe open that long.
const GRACE: Duration = Duration::from_millis(200);

pub(crate) async fn run(input: &Value, ctx: &ToolContext) -> ToolResult {
    let input = Input::new("Bash", input)?;
    let command = input.string("command")?;
    input.opt_string("description")?;
    let timeout = match input.opt_count("timeout")? {
        Some(0) => return Err("Bash: `timeout` must be a positive number of milliseconds.".into()),
        Some(ms) => Duration::from_millis(ms).min(ctx.max_bash_timeout),
        None => ctx.bash_timeout,
    };
    if command.trim().is_empty() {
        return Err("Bash: `command` is empty; give a shell command to run.".into());
    }
    if *ctx.cancel.borrow() {
        return Err("The command was not run: the agent has been stopped.".into());
    }
    if !tokio::fs::metadata(&ctx.cwd)
        .await
        .is_ok_and(|m| m.is_dir())
    {
        return Err(format!(
            "The working directory {} does not exist, so the command cannot run.",
            ctx.cwd.display()
        ));
    }

    let (mut child, output) = spawn(command, ctx)?;
    // The group id is the shell's pid (`process_group(0)`); taken now, before any reaping.
    let mut group = ProcessGroup(child.id().and_then(|pid| libc::pid_t::try_from(pid).ok()));
    let mut capture = Capture::new(ctx.output_cap);
    let end = drive(
        &mut child,
        output,
        &mut group,
        &mut capture,
        timeout,
        ctx.cancel.clone(),
    )
    .await;
    if !matches!(end, End::Exited(_)) {
        // Reap the killed shell now rather than leave it to tokio's background reaper.
        let _ = tokio::time::timeout(GRACE, child.wait()).await;
    }
    report(end, &capture, timeout, ctx)
}

/// How the command's run ended.
enum End {
    Exited(io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

/// Starts `bash -c command` (or `sh -c` where there is no bash) in its own process group, with
/// stdout and stderr on one pipe: what the command writes arrives in the order it wrote it, as
/// on a terminal (two pipes read side by side can swap a line of one with a line of the other).
fn spawn(command: &str, ctx: &ToolContext) -> Result<(Child, pipe::Receiver), String> {
    let failed = |e: io::Error| format!("Could not start the shell: {e}.");
    let start = |shell: &str| -> io::Result<(Child, pipe::Receiver)> {
        let (reader, writer) = io::pipe()?;
        let mut cmd = Command::new(shell);
        cmd.arg("-c")
            .arg(command)
            .current_dir(&ctx.cwd)
            .stdin(Stdio::null())
            .stdout(writer.try_clone()?)
            .stderr(writer)
            .process_group(0)
            .kill_on_drop(true);
        for var in &ctx.env_remove {
            cmd.env_remove(var);
        }
        let child = cmd.spawn()?;
        // `cmd` goes with this scope and closes the parent's copies of the write end, so the
        // pipe ends when the command's processes have all closed theirs.
        Ok((child, pipe::Receiver::from_owned_fd(OwnedFd::from(reader))?))
    };
    match start("bash") {
        Err(e) if e.kind() == io::ErrorKind::NotFound => start("sh"),
        other => other,
    }
    .map_err(failed)
}

/// Runs the command to its end while collecting its output, then kills its group.
async fn drive(
    child: &mut Child,
    output: pipe::Receiver,
    group: &mut ProcessGroup,
    capture: &mut Capture,
    timeout: Duration,
    cancel: watch::Receiver<bool>,
) -> End {
    let pump = pump(output, capture);
    let deadline = tokio::time::sleep(timeout);
    let cancelled = cancelled(cancel);
    tokio::pin!(pump, deadline, cancelled);
    let mut pumped = false;
    let end = loop {
        tokio::select! {
            status = child.wait() => break End::Exited(status),
            () = &mut pump, if !pumped => pumped = true,
            () = &mut deadline => break End::TimedOut,
            () = &mut cancelled => break End::Cancelled,
        }
    };
    group.kill();
    if !pumped {
        // With the group dead the pipes close at once; the grace period only bounds the wait
        // for a process that escaped the group.
        let _ = tokio::time::timeout(GRACE, &mut pump).await;
    }
    end
}

/// Reads the command's output into the capture until every writer has closed the pipe.
async fn pump(mut output: impl AsyncRead + Unpin, capture: &mut Capture) {
    let mut buf = vec![0u8; 8192];
    while let Ok(n @ 1..) = output.read(&mut buf).await {
        capture.push(&buf[..n]);
    }
}

/// Resolves when the cancel signal becomes true; never, if its sender is gone without firing.
async fn cancelled(mut cancel: watch::Receiver<bool>) {
    loop {
        if *cancel.borrow_and_update() {
            return;
        }
        if cancel.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The command's process group, killed once: explicitly when the command ends, or on drop if
/// the call's future is dropped midway.
struct ProcessGroup(Option<libc::pid_t>);

impl ProcessGroup {
    fn kill(&mut self) {
        // A pgid of 0 would mean our own group; the check keeps that impossible.
        if let Some(pgid) = self.0.take().filter(|pgid| *pgid > 0) {
            // SAFETY: killpg only sends a signal; a group that no longer exists yields ESRCH,
            // which is fine to ignore.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The tool result: the output, and for a failure a last line saying how the command ended.
fn report(end: End, capture: &Capture, timeout: Duration, ctx: &ToolContext) -> ToolResult {
    let output = capture.render();
    let output = output.trim_end_matches('\n');
    let with_note = |note: String| {
        if output.is_empty() {
            note
        } else {
            format!("{output}\n\n{note}")
        }
    };
    match end {
        End::Exited(Ok(status)) if status.success() => Ok(if capture.is_empty() {
            "(The command succeeded with no output.)".into()
        } else {
            output.to_string()
        }),
        End::Exited(Ok(status)) => Err(with_note(exit_note(status))),
        End::Exited(Err(e)) => Err(with_note(format!(
            "Lost track of the command while waiting for it: {e}."
        ))),
        End::TimedOut => Err(with_note(format!(
            "Command timed out and was killed after {} ms, with every process it started. If \
             it needs longer, set `timeout` (in ms, at most {}).",
            timeout.as_millis(),
            ctx.max_bash_timeout.as_millis()
        ))),
        End::Cancelled => Err(with_note(
            "Command killed: the agent was stopped while it ran.".into(),
        )),
    }
}

fn exit_note(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("Exit code {code}"),
        (None, Some(signal)) => format!("The command was killed by signal {signal}."),
        (None, None) => format!("The command failed ({status})."),
    }
}
