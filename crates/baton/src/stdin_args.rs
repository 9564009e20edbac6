//! JSON args on standard input: whether baton reads it at all, and reading it without hanging
//! in silence.
//!
//! The rule (also in the README): `--args -` and `--args-file -` always read standard input.
//! With neither `--args` nor `--args-file`, baton reads it only when it is a pipe or a regular
//! file (`echo '{"n":3}' | baton run x`, `baton run x < args.json`), never a terminal, the null
//! device or a socket; an empty one means no args. A pipe that is never closed (a parent
//! process that keeps its end open) would block the run, so after two seconds without an end
//! baton says on stderr what it is waiting for and how to run without it (`</dev/null`).

use std::io::{IsTerminal, Read};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use anyhow::{anyhow, Context, Result};

/// How long standard input may stay open and silent before baton explains the wait.
const NOTICE_AFTER: Duration = Duration::from_secs(2);

/// What standard input is, as far as reading args goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdinKind {
    Terminal,
    /// A pipe or a regular file: read when no other args source is given.
    Data,
    /// The null device, a socket, a closed descriptor: never read unless asked with `-`.
    Other,
}

pub fn kind() -> StdinKind {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return StdinKind::Terminal;
    }
    data_kind(&stdin)
}

#[cfg(unix)]
fn data_kind(stdin: &std::io::Stdin) -> StdinKind {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    // A duplicate of descriptor 0, so its metadata can be read through `File` without owning
    // (and closing) standard input itself.
    let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
        return StdinKind::Other;
    };
    match std::fs::File::from(fd).metadata() {
        Ok(meta) if meta.file_type().is_fifo() || meta.is_file() => StdinKind::Data,
        _ => StdinKind::Other,
    }
}

#[cfg(not(unix))]
fn data_kind(_stdin: &std::io::Stdin) -> StdinKind {
    StdinKind::Other
}

/// All of standard input. `explicit`: the user asked for it with `-` (so a terminal is read
/// too, with a prompt saying how to end it).
pub fn read_all(explicit: bool) -> Result<String> {
    let kind = kind();
    if kind == StdinKind::Terminal {
        eprintln!("baton: reading args as JSON from standard input; end with Ctrl-D");
    }
    let (sender, receiver) = mpsc::channel();
    // The reading thread may block for as long as the writer keeps the pipe open; the main
    // thread only waits for it, so it can speak up meanwhile.
    std::thread::spawn(move || {
        let mut text = String::new();
        let result = std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map(|_| text);
        let _ = sender.send(result);
    });
    let result = match receiver.recv_timeout(NOTICE_AFTER) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => {
            if kind != StdinKind::Terminal {
                eprintln!("{}", waiting_notice(explicit));
            }
            receiver
                .recv()
                .map_err(|_| anyhow!("standard input could not be read"))?
        }
        Err(RecvTimeoutError::Disconnected) => {
            return Err(anyhow!("standard input could not be read"))
        }
    };
    result.context("cannot read args from standard input")
}

fn waiting_notice(explicit: bool) -> &'static str {
    if explicit {
        "baton: waiting for args as JSON on standard input (--args -): the pipe is still open"
    } else {
        "baton: waiting for args as JSON on standard input, which is an open pipe (baton reads it when no --args or --args-file is given); close it, or run with </dev/null or --args to start without it"
    }
}
