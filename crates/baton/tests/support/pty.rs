//! The real binary in a pseudo-terminal, as a user at a terminal runs it: its own session with
//! the terminal as its controlling one, a fixed size, and what it draws read back as a screen
//! of cells (`vt100`), so tests assert on what a person would see.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct Pty {
    master: File,
    screen: Arc<Mutex<vt100::Parser>>,
    child: Child,
    reader: Option<JoinHandle<()>>,
}

impl Pty {
    /// Starts `command` with a `rows`×`cols` terminal as its stdin, stdout and stderr.
    pub fn spawn(mut command: Command, rows: u16, cols: u16) -> Pty {
        let (mut master, mut slave) = (-1, -1);
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two new descriptors into the given ints; the size is read.
        let made = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(made, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned by nobody else.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        command
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let reader = {
            let mut master = master.try_clone().unwrap();
            let screen = screen.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                // Ends with EIO once the child and every copy of the terminal are gone.
                while let Ok(n @ 1..) = master.read(&mut buffer) {
                    screen.lock().unwrap().process(&buffer[..n]);
                }
            })
        };
        Pty {
            master,
            screen,
            child,
            reader: Some(reader),
        }
    }

    /// The screen as text, one line per row.
    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits (at most 20 s) until the screen satisfies `check`; returns it.
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if check(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `keys`.
    pub fn send(&mut self, keys: &[u8]) {
        self.master.write_all(keys).unwrap();
        self.master.flush().unwrap();
    }

    /// Waits for the process to end; returns how it ended and the screen it left.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().unwrap();
        // What it wrote last is read before the screen is.
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.reader.as_ref().unwrap().is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        (status, self.text())
    }
}
