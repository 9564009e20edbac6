//! The policy through `run_tool`: every tool refuses paths that leave the workspace, Bash
//! refuses what is not allowed, and each refusal is marked as a denial with its reason.

use std::os::unix::fs::symlink;

use baton_tools::{Policy, Rules, DENIED};
use serde_json::{json, Value};

use crate::Fixture;

/// A workspace `work/` with a sibling `outside/` holding a file, and a link out to it.
fn workspace() -> (Fixture, std::path::PathBuf) {
    let mut f = Fixture::strict();
    let work = f.path("work");
    let outside = f.path("outside");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "untouched\n").unwrap();
    std::fs::write(work.join("notes.txt"), "hello\n").unwrap();
    symlink(outside.join("secret.txt"), work.join("link.txt")).unwrap();
    f.ctx.cwd = work.clone();
    f.ctx.policy = Policy::new(&work, &[], Rules::default());
    (f, outside)
}

async fn denied(f: &Fixture, tool: &str, input: Value) -> String {
    let out = f.call(tool, input.clone()).await;
    assert!(
        out.is_error && out.denied,
        "{tool} {input}: {}",
        out.content
    );
    assert!(out.content.starts_with(DENIED), "{}", out.content);
    out.content
}

#[tokio::test]
async fn file_tools_stay_inside_the_workspace() {
    let (f, outside) = workspace();
    let escapes = [
        (
            "Write",
            json!({"file_path": "../outside/new.txt", "content": "x"}),
        ),
        (
            "Write",
            json!({"file_path": "../outside.txt", "content": "x"}),
        ),
        ("Read", json!({"file_path": "/etc/shadow"})),
        ("Read", json!({"file_path": "link.txt"})),
        (
            "Edit",
            json!({"file_path": "link.txt", "old_string": "untouched", "new_string": "changed"}),
        ),
        ("Glob", json!({"pattern": "../outside/*"})),
        ("Glob", json!({"pattern": "*", "path": "/etc"})),
        ("Grep", json!({"pattern": "untouched", "path": ".."})),
    ];
    for (tool, input) in escapes {
        let reason = denied(&f, tool, input).await;
        assert!(
            reason.contains("of the workspace") || reason.contains("outside the workspace"),
            "{reason}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).unwrap(),
        "untouched\n"
    );
    assert!(!outside.join("new.txt").exists() && !f.path("outside.txt").exists());

    // Inside, everything works as before; reads of `.git` too, but never writes.
    let read = f.ok("Read", json!({"file_path": "notes.txt"})).await;
    assert!(read.contains("1\thello"), "{read}");
    f.ok("Write", json!({"file_path": "sub/a.txt", "content": "a"}))
        .await;
    denied(
        &f,
        "Write",
        json!({"file_path": ".git/config", "content": "x"}),
    )
    .await;
}

#[tokio::test]
async fn bash_runs_inspection_and_refuses_the_rest() {
    let (f, _) = workspace();
    assert_eq!(
        f.ok("Bash", json!({"command": "ls"})).await,
        "link.txt\nnotes.txt"
    );
    for command in [
        "rm -rf ~",
        "curl https://example.com",
        "ls; touch x",
        "cat link.txt",
    ] {
        let reason = denied(&f, "Bash", json!({ "command": command })).await;
        assert!(reason.contains("without anyone to approve"), "{reason}");
    }
    assert!(!f.path("work/x").exists());
}

#[tokio::test]
async fn user_rules_and_denied_tools() {
    let (mut f, _) = workspace();
    let work = f.ctx.cwd.clone();
    f.ctx.policy = Policy::new(
        &work,
        &[],
        Rules::parse(&["Bash(touch:*)"], &["Write"]).unwrap(),
    );
    f.ok("Bash", json!({"command": "touch made.txt && ls made.txt"}))
        .await;
    assert!(work.join("made.txt").exists());
    let reason = denied(&f, "Write", json!({"file_path": "a.txt", "content": ""})).await;
    assert!(reason.contains("Write is denied"), "{reason}");
}

#[tokio::test]
async fn review_findings_are_refused_before_anything_runs() {
    let (mut f, outside) = workspace();
    let work = f.ctx.cwd.clone();
    std::fs::create_dir_all(work.join(".git")).unwrap();
    std::fs::write(work.join(".git/config"), "[core]\n").unwrap();
    std::fs::write(work.join("payload"), "[core]\n\tfsmonitor = touch pwned\n").unwrap();
    for (command, reason) in [
        ("echo `echo \\`sh -c 'touch pwned'\\` #`", "use $(…)"),
        ("echo '[core]' 1<>.git/config", "writes to a file"),
        ("uniq - .git/config < payload", "second operand"),
        ("sort --o=.git/config payload", "ordering options"),
        ("sort --comp=sh -S 1 payload", "ordering options"),
        ("echo ../*", "use the Glob or Grep tools"),
        ("cat {../outside/secret.txt,}", "use the Glob or Grep tools"),
        ("wc --files0-from=-", "open files named at run time"),
        ("cd -", "`cd` goes only to a directory"),
        ("env", "not a read-only inspection command"),
        ("git branch -a --edit-description", "may only list"),
    ] {
        let reason_given = denied(&f, "Bash", json!({ "command": command })).await;
        assert!(reason_given.contains(reason), "{command}: {reason_given}");
    }
    assert_eq!(
        std::fs::read_to_string(work.join(".git/config")).unwrap(),
        "[core]\n"
    );
    assert!(!work.join("pwned").exists());

    // A quoted pattern is a name: this file exists under it.
    std::fs::write(work.join("a*b"), "literal\n").unwrap();
    assert_eq!(
        f.ok("Bash", json!({"command": "cat 'a*b'"})).await,
        "literal"
    );
    assert_eq!(
        f.ok("Bash", json!({"command": "sort -rn payload | head -1"}))
            .await,
        "[core]"
    );

    // A prefix rule vouches for the command, not for its redirections or a line it cannot read.
    f.ctx.policy = Policy::new(&work, &[], Rules::parse(&["Bash(cat:*)"], &[]).unwrap());
    for command in [
        "cat notes.txt > ../outside/copy.txt",
        "cat notes.txt > .BATON/config.toml",
        "cat <<X\nX\ntouch pwned",
    ] {
        denied(&f, "Bash", json!({ "command": command })).await;
    }
    assert!(!outside.join("copy.txt").exists() && !work.join("pwned").exists());
    f.ok("Bash", json!({"command": "cat notes.txt > copy.txt"}))
        .await;
    assert_eq!(
        std::fs::read_to_string(work.join("copy.txt")).unwrap(),
        "hello\n"
    );
}
