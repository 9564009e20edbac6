//! Integration tests of the built-in tools, each in its own temp dir: one test binary, one
//! module per tool, and the fixture they share.

mod bash;
mod edit;
mod glob;
mod grep;
mod input;
mod policy;
mod read;
mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use baton_tools::{run_tool, Policy, Rules, ToolContext, ToolOutput};
use serde_json::Value;
use tempfile::TempDir;

/// A temp dir that is the agent's cwd, and the context that says so.
struct Fixture {
    dir: TempDir,
    ctx: ToolContext,
}

impl Fixture {
    /// Every command allowed (`Bash`), so the tools' own behaviour can be tested; files stay
    /// confined to the temp dir.
    fn new() -> Self {
        let mut fixture = Fixture::strict();
        fixture.ctx.policy = Policy::new(fixture.dir.path(), &[], Rules::allow_all());
        fixture
    }

    /// The default policy: read-only commands only.
    fn strict() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let ctx = ToolContext::new(dir.path().canonicalize().expect("a real temp dir"));
        Fixture { dir, ctx }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Sets a file's modification time to `secs_ago` seconds before now.
    fn age(&self, rel: &str, secs_ago: u64) {
        let file = std::fs::File::options()
            .write(true)
            .open(self.path(rel))
            .unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
            .unwrap();
    }

    fn git_init(&self) {
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(self.dir.path())
            .status()
            .expect("git must be installed for these tests");
        assert!(status.success());
    }

    async fn call(&self, name: &str, input: Value) -> ToolOutput {
        run_tool(name, &input, &self.ctx).await
    }

    /// A call that must succeed; its content.
    async fn ok(&self, name: &str, input: Value) -> String {
        let out = self.call(name, input).await;
        assert!(!out.is_error, "{name} failed: {}", out.content);
        out.content
    }

    /// A call that must fail; its message.
    async fn err(&self, name: &str, input: Value) -> String {
        let out = self.call(name, input).await;
        assert!(out.is_error, "{name} should have failed: {}", out.content);
        out.content
    }
}

/// Whether a process is still running (a zombie awaiting its reaper counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        // No procfs: fall back to `kill -0`.
        Err(_) if !Path::new("/proc/self").exists() => unsafe { libc::kill(pid, 0) == 0 },
        Err(_) => false,
    }
}

/// Waits up to a second for a killed process to disappear.
async fn gone(pid: i32) -> bool {
    for _ in 0..100 {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
