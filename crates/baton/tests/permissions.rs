//! Least privilege end to end: the mock model drives agents to attack the machine, and every
//! attempt is denied (or finds nothing) with the reason sent back to the model; commands die
//! with their children; API keys appear nowhere in what a run leaves behind.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use baton_testkit::{Match, MockConfig, MockLlm, Rule, ToolCall, Turn};
use serde_json::{json, Value};
use support::{baton_command, baton_run, git, result, stderr, KEY, WIRES};

const ATTACK: &str = r#"export const meta = { name: "attack", description: "an agent tries to escape" };
const attacker = await agent("escape", { label: "attacker", tools: ["Read", "Write", "Edit", "Bash"] });
const reviewer = await agent("review", { label: "reviewer", agentType: "reviewer" });
const wanderer = await agent("wander", { label: "wanderer", cwd: ".." }).catch((e) => e.message);
return { attacker, reviewer, wanderer };
"#;

#[test]
fn an_attacking_agent_is_denied_everything_and_carries_on() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let (work, home) = (root.join("work"), root.join("home"));
    std::fs::create_dir_all(work.join(".claude/agents")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("precious.txt"), "keep me\n").unwrap();
    std::fs::write(root.join("target.txt"), "original\n").unwrap();
    std::os::unix::fs::symlink(root.join("target.txt"), work.join("escape.txt")).unwrap();
    std::fs::write(work.join("attack.workflow.js"), ATTACK).unwrap();
    std::fs::write(
        work.join(".claude/agents/reviewer.md"),
        "---\nname: reviewer\ndescription: reads\ntools: Read, Grep\n---\nYou only read.\n",
    )
    .unwrap();

    let attacks = vec![
        ToolCall::new(
            "Write",
            json!({"file_path": "../outside.txt", "content": "pwned"}),
        ),
        ToolCall::new("Read", json!({"file_path": "/etc/shadow"})),
        ToolCall::new(
            "Edit",
            json!({"file_path": "escape.txt", "old_string": "original", "new_string": "pwned"}),
        ),
        ToolCall::new("Bash", json!({"command": "rm -rf ~"})),
        ToolCall::new(
            "Bash",
            json!({"command": "curl -s http://127.0.0.1:9/ -o x"}),
        ),
        ToolCall::new("Glob", json!({"pattern": "../**"})),
        ToolCall::new(
            "Bash",
            json!({"command": "echo \"key=$ANTHROPIC_API_KEY\"; env"}),
        ),
    ];
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_rule(Rule::new(
                Match::label("attacker"),
                vec![Turn::tools(attacks), Turn::text("gave up")],
            ))
            .with_rule(Rule::new(
                Match::label("reviewer"),
                vec![
                    Turn::tool("Write", json!({"file_path": "notes.md", "content": "x"})),
                    Turn::text("only read"),
                ],
            )),
    );
    let home_env = home.to_string_lossy().into_owned();
    let output = baton_run(
        &work,
        &mock,
        WIRES[0],
        // The user allows printing the environment: the key is still not in it.
        &[
            "attack.workflow.js",
            "--allow",
            "Bash(env)",
            "--allow",
            "Bash(echo:*)",
        ],
        &[("HOME", &home_env)],
    );
    let value = result(&output);
    assert_eq!(value["attacker"], "gave up");
    assert_eq!(value["reviewer"], "only read");
    let wanderer = value["wanderer"].as_str().unwrap();
    assert!(wanderer.contains("outside the workspace"), "{wanderer}");

    // Nothing outside the workspace changed, and nothing ran.
    assert!(!root.join("outside.txt").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("target.txt")).unwrap(),
        "original\n"
    );
    assert!(home.join("precious.txt").exists());
    assert!(!work.join("x").exists() && !work.join("notes.md").exists());

    // The model got each reason, and asked again afterwards.
    let requests = mock.requests();
    let answered = |label: &str| {
        requests
            .iter()
            .find(|r| r.label.as_deref() == Some(label) && r.turn == 1)
            .unwrap_or_else(|| panic!("{label} never came back"))
            .tool_results
            .clone()
    };
    let results = answered("attacker");
    assert_eq!(results.len(), 7, "{results:?}");
    let expect_denied = [
        (0, "climbs out of the workspace with `..`"),
        (1, "outside the workspace"),
        (2, "through a symbolic link"),
        (3, "`rm -rf ~` is not allowed"),
        (4, "`curl` is not a read-only inspection command"),
        (5, "not available to this agent"),
    ];
    for (i, reason) in expect_denied {
        let (content, is_error) = &results[i];
        assert!(*is_error, "{content}");
        assert!(content.starts_with("Permission denied:"), "{content}");
        assert!(content.contains(reason), "{i}: {content}");
        assert!(content.contains("without anyone to approve"), "{content}");
    }
    let (printed, is_error) = &results[6];
    assert!(!is_error, "{printed}");
    assert!(printed.starts_with("key=\n"), "{printed}");
    assert!(
        !printed.contains(KEY) && !printed.contains("ANTHROPIC_API_KEY"),
        "{printed}"
    );
    let reviewer = answered("reviewer");
    assert!(reviewer[0].0.contains("not available"), "{reviewer:?}");

    // Each denial is a progress line, and the run lists them all before its closing line.
    let log = stderr(&output);
    assert!(log.contains("agent #1 attacker · denied Bash: "), "{log}");
    let summary = log
        .lines()
        .position(|l| l.starts_with("baton: 7 tool call(s) denied"))
        .unwrap_or_else(|| panic!("no denial summary:\n{log}"));
    let listed: Vec<&str> = log.lines().skip(summary + 1).take(7).collect();
    assert!(
        listed[..6]
            .iter()
            .all(|l| l.contains("agent #1 attacker · ")),
        "{listed:?}"
    );
    assert!(
        listed[6].contains("agent #2 reviewer · Write:"),
        "{listed:?}"
    );
    assert!(log.lines().last().unwrap().contains("completed"), "{log}");
    assert!(!log.contains(KEY), "{log}");
}

const HANG: &str = r#"export const meta = { name: "hang", description: "" };
return await parallel([1, 2].map((i) => () => agent(`hang ${i}`, { label: `hang${i}` })));
"#;

/// A Bash call that leaves a background child and waits forever; pids in files.
fn hang(i: u32, timeout: Option<u64>) -> Rule {
    let command = format!("sleep 60 & echo $! > bg{i}.pid; echo $$ > sh{i}.pid; wait");
    let input = match timeout {
        Some(ms) => json!({ "command": command, "timeout": ms }),
        None => json!({ "command": command }),
    };
    Rule::new(
        Match::label(format!("hang{i}")),
        vec![Turn::tool("Bash", input), Turn::text("back")],
    )
}

fn pid(dir: &Path, file: &str) -> Option<i32> {
    std::fs::read_to_string(dir.join(file))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Whether a process is gone (or a zombie), polled for up to two seconds: real processes.
fn gone(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
        let zombie = stat.as_ref().is_ok_and(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        });
        if stat.is_err() || zombie {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_hanging_command_dies_at_its_timeout_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hang.workflow.js"), HANG).unwrap();
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_rule(hang(1, Some(1000)))
            .with_rule(hang(2, Some(1000))),
    );
    let started = Instant::now();
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &["hang.workflow.js", "--allow", "Bash"],
        &[],
    );
    assert_eq!(result(&output), json!(["back", "back"]));
    assert!(started.elapsed() < Duration::from_secs(20));
    for i in [1, 2] {
        let answer = mock
            .requests()
            .into_iter()
            .find(|r| r.label == Some(format!("hang{i}")) && r.turn == 1)
            .unwrap();
        assert!(answer.tool_results[0].0.contains("timed out"), "{answer:?}");
        for file in [format!("bg{i}.pid"), format!("sh{i}.pid")] {
            let pid = pid(dir.path(), &file).unwrap();
            assert!(gone(pid), "{file}: {pid} still runs");
        }
    }
}

#[test]
fn stopping_a_run_kills_every_running_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hang.workflow.js"), HANG).unwrap();
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_rule(hang(1, None))
            .with_rule(hang(2, None)),
    );
    let child = baton_command(
        dir.path(),
        &mock,
        WIRES[0],
        &["hang.workflow.js", "--allow", "Bash"],
        &[],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Real processes: wait (bounded) until both commands are running.
    let deadline = Instant::now() + Duration::from_secs(20);
    let files = ["bg1.pid", "sh1.pid", "bg2.pid", "sh2.pid"];
    while files.iter().any(|f| pid(dir.path(), f).is_none()) {
        assert!(Instant::now() < deadline, "the commands never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: a signal to our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    for file in files {
        let pid = pid(dir.path(), file).unwrap();
        assert!(gone(pid), "{file}: {pid} outlived the run");
    }
}

const FAKE_KEY: &str = "sk-ant-FAKE-5ecret0123456789abcdefXYZ";

const LEAK: &str = r#"export const meta = { name: "leak", description: "" };
const plain = await agent("print the key", { label: "leaker" });
const isolated = await agent("print it in a worktree", { label: "isolated", isolation: "worktree" });
return { plain, isolated };
"#;

/// Every file under `dir`, recursively, as bytes.
fn files_under(dir: &Path, found: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, found);
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn api_keys_appear_nowhere_a_run_leaves_anything() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("leak.workflow.js"), LEAK).unwrap();
    std::fs::write(dir.join("README.md"), "a repo\n").unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "start"]);
    let print = "echo \"$ANTHROPIC_API_KEY\"; env; printenv ANTHROPIC_API_KEY";
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(FAKE_KEY)
            .with_rule(Rule::new(
                Match::label("leaker"),
                vec![
                    Turn::tool("Bash", json!({ "command": print })),
                    Turn::text("none"),
                ],
            ))
            .with_rule(Rule::new(
                Match::label("isolated"),
                vec![
                    Turn::tool("Bash", json!({"command": "env > env.txt; cat env.txt"})),
                    Turn::text("none"),
                ],
            )),
    );
    let key_env = [("ANTHROPIC_API_KEY", FAKE_KEY)];
    let allow = ["leak.workflow.js", "--allow", "Bash"];
    let run = baton_run(dir, &mock, WIRES[0], &allow, &key_env);
    assert_eq!(result(&run), json!({"plain": "none", "isolated": "none"}));
    assert!(stderr(&run).contains("worktree kept"), "{}", stderr(&run));
    // The commands ran and printed the environment, without the key.
    let answers: Vec<Value> = mock
        .requests()
        .iter()
        .filter(|r| r.turn == 1)
        .map(|r| json!(r.tool_results))
        .collect();
    assert_eq!(answers.len(), 2);
    assert!(
        answers.iter().all(|a| a.to_string().contains("PATH=")),
        "{answers:?}"
    );

    // A refused key: the 401 path.
    let refused = baton_run(
        dir,
        &mock,
        WIRES[0],
        &allow,
        &[("ANTHROPIC_API_KEY", "sk-ant-FAKE-wrong-key-000000000000")],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));

    let mut scanned = vec![
        ("stdout".into(), run.stdout.clone()),
        ("stderr".into(), run.stderr.clone()),
        ("401 stdout".into(), refused.stdout.clone()),
        ("401 stderr".into(), refused.stderr.clone()),
    ];
    let mut files = Vec::new();
    files_under(&dir.join(".baton"), &mut files);
    assert!(
        files.iter().any(|(p, _)| p.ends_with("env.txt")),
        "the worktree's env.txt is scanned too"
    );
    // The journal holds the transcripts, the printed environment included: the scan covers it.
    let journal: Vec<u8> = files
        .iter()
        .filter(|(p, _)| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("journal.db"))
        })
        .flat_map(|(_, bytes)| bytes.clone())
        .collect();
    assert!(
        contains(&journal, "PATH="),
        "the journal records the tool results"
    );
    scanned.extend(files.into_iter().map(|(p, b)| (p.display().to_string(), b)));
    for (name, bytes) in &scanned {
        for secret in [FAKE_KEY, "sk-ant-FAKE-wrong-key-000000000000"] {
            assert!(!contains(bytes, secret), "the key leaked into {name}");
        }
    }
    assert!(
        !contains(&refused.stderr, "sk-ant-FAKE"),
        "{}",
        stderr(&refused)
    );
}
