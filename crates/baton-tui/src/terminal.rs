//! The real terminal: stderr in raw mode on the alternate screen, given back on every way
//! out (return, error, unwinding, and any thread's panic, whose message would otherwise be
//! lost on the alternate screen); `$EDITOR` with the terminal handed over; Ctrl-C.

use std::fs::File;
use std::io::{self, BufWriter, Stderr, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event as Input};
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::{Frame, Terminal};

use crate::driver::{drive, Screen};
use crate::{Monitor, MonitorExit, MonitorOptions, Steer, Timed};

/// False when `NO_COLOR` is set to anything but the empty string (no-color.org).
pub fn color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Owns the terminal (stderr) until the run ends or the user leaves; see the crate docs.
pub fn run_monitor(
    events: Receiver<Timed>,
    mut steer: Box<dyn Steer>,
    mut options: MonitorOptions,
) -> io::Result<MonitorExit> {
    options.color &= color_from_env();
    let watching = options.watching;
    let mut monitor = Monitor::new(options);
    let mut screen = TerminalScreen::enter(watching)?;
    let exit = drive(&mut screen, events, steer.as_mut(), &mut monitor);
    drop(screen);
    exit
}

/// Set by the panic hook once it gave the terminal back: the monitor stops drawing.
static TERMINAL_GIVEN_BACK: AtomicBool = AtomicBool::new(false);

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

struct TerminalScreen {
    /// Buffered: unbuffered stderr would make each escape sequence its own write.
    terminal: Terminal<CrosstermBackend<BufWriter<Stderr>>>,
    watching: bool,
    /// The hook that was installed before ours, put back when the monitor ends.
    previous_hook: Option<Arc<PanicHook>>,
    active: bool,
}

impl TerminalScreen {
    fn enter(watching: bool) -> io::Result<TerminalScreen> {
        TERMINAL_GIVEN_BACK.store(false, Ordering::SeqCst);
        let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        {
            let previous = previous.clone();
            std::panic::set_hook(Box::new(move |info| {
                if !TERMINAL_GIVEN_BACK.swap(true, Ordering::SeqCst) {
                    give_back();
                }
                (**previous)(info);
            }));
        }
        let mut screen = TerminalScreen {
            terminal: new_terminal()?,
            watching,
            previous_hook: Some(previous),
            active: false,
        };
        screen.take()?;
        Ok(screen)
    }

    /// Raw mode, alternate screen, no cursor, a blank screen and a terminal that knows it.
    fn take(&mut self) -> io::Result<()> {
        terminal::enable_raw_mode()?;
        // From here on, whatever fails, `Drop` gives the terminal back.
        self.active = true;
        execute!(
            io::stderr(),
            terminal::EnterAlternateScreen,
            cursor::Hide,
            terminal::Clear(terminal::ClearType::All)
        )?;
        // A fresh `Terminal` takes the screen as blank and paints every cell on the next
        // frame. (`Terminal::clear` would ask the terminal where its cursor is, and wait up to
        // two seconds for terminals that never answer.)
        self.terminal = new_terminal()?;
        Ok(())
    }

    /// Gives the terminal back as it was (also called by `Drop`).
    fn release(&mut self) {
        if std::mem::take(&mut self.active) {
            let _ = self.terminal.backend_mut().flush();
            give_back();
        }
    }

    fn restore_hook(&mut self) {
        if let Some(previous) = self.previous_hook.take() {
            // Drops our hook; the previous one goes back in its place.
            let _ = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| (**previous)(info)));
        }
    }
}

impl Drop for TerminalScreen {
    fn drop(&mut self) {
        self.release();
        self.restore_hook();
    }
}

fn new_terminal() -> io::Result<Terminal<CrosstermBackend<BufWriter<Stderr>>>> {
    Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
        1 << 16,
        io::stderr(),
    )))
}

fn give_back() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stderr(), terminal::LeaveAlternateScreen, cursor::Show);
}

impl Screen for TerminalScreen {
    fn draw(&mut self, render: &mut dyn FnMut(&mut Frame)) -> io::Result<()> {
        given_back()?;
        self.terminal.draw(|frame| render(frame))?;
        Ok(())
    }

    fn input(&mut self, timeout: Duration) -> io::Result<Option<Input>> {
        given_back()?;
        if event::poll(timeout)? {
            return event::read().map(Some);
        }
        Ok(None)
    }

    fn edit(&mut self, path: &Path) -> Result<(), String> {
        let editor = std::env::var("EDITOR")
            .ok()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| "vi".to_string());
        // Through the shell, as git does: `EDITOR="code --wait"` and quoted arguments work.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("{editor} \"$@\""))
            .arg(&editor)
            .arg(path);
        // The editor gets the terminal itself: stdout may be the run's result file.
        if let Ok(tty) = File::options().read(true).write(true).open("/dev/tty") {
            let (out, err) = (tty.try_clone(), tty.try_clone());
            if let (Ok(out), Ok(err)) = (out, err) {
                command
                    .stdin(Stdio::from(tty))
                    .stdout(Stdio::from(out))
                    .stderr(Stdio::from(err));
            }
        }
        self.release();
        let status = command.status();
        let taken = self.take();
        match (status, taken) {
            (_, Err(error)) => Err(format!("could not take the terminal back: {error}")),
            (Err(error), _) => Err(format!("could not run {editor}: {error}")),
            (Ok(status), _) if !status.success() => Err(format!("{editor} exited with {status}")),
            (Ok(_), _) => Ok(()),
        }
    }

    fn interrupt(&mut self) -> bool {
        if self.watching {
            return true;
        }
        if sigint_is_handled() {
            // The run's own Ctrl-C handling stops it; the monitor shows it ending.
            // SAFETY: raise only sends a signal to this process.
            unsafe { libc::raise(libc::SIGINT) };
            return false;
        }
        // Nobody handles SIGINT: it ends the process, so give the terminal back first.
        self.release();
        // SAFETY: as above.
        unsafe { libc::raise(libc::SIGINT) };
        true
    }
}

/// Fails once the panic hook gave the terminal back.
fn given_back() -> io::Result<()> {
    if TERMINAL_GIVEN_BACK.load(Ordering::SeqCst) {
        return Err(io::Error::other(
            "the monitor stopped because a thread panicked",
        ));
    }
    Ok(())
}

/// Whether something (the run's Ctrl-C handler) catches SIGINT.
fn sigint_is_handled() -> bool {
    // SAFETY: a zeroed sigaction is a valid out-parameter; a null new action only reads.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current) != 0 {
            return false;
        }
        current.sa_sigaction != libc::SIG_DFL && current.sa_sigaction != libc::SIG_IGN
    }
}
