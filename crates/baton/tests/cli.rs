//! The real binary, run as a user would: exit codes, where output goes, `check`, `--dry-run`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("baton-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox { dir }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn baton(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(args)
            .current_dir(&self.dir)
            .env("HOME", &self.dir)
            .env_remove("BATON_MAX_CONCURRENT_AGENTS")
            .env_remove("BATON_MODEL")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .output()
            .unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const FANOUT: &str = r#"export const meta = {
  name: "fanout",
  description: "three finders, then a fixer per finding",
  phases: [{ title: "Find" }, { title: "Fix", detail: "one fixer each" }],
};
phase("Find");
const found = await parallel(["a", "b", "c"].map((area) => () => agent(`find in ${area}`, { label: area })));
phase("Fix");
const fixed = await parallel(found.map((f, i) => () => agent(`fix ${i}`)));
await agent("summary", { phase: "Report" });
log("fixed", fixed.length);
return { areas: found.length, args: args ?? null };
"#;

#[test]
fn run_prints_the_result_on_stdout_and_progress_on_stderr() {
    let sandbox = Sandbox::new("run");
    sandbox.write("fanout.workflow.js", FANOUT);
    let output = sandbox.baton(&[
        "run",
        "fanout.workflow.js",
        "--model",
        "sim",
        "--arg",
        "n=3",
        "--arg",
        "who=me",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let result: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        result,
        serde_json::json!({"areas": 3, "args": {"n": 3, "who": "me"}})
    );
    let progress = stderr(&output);
    assert_eq!(progress.matches(" started").count(), 7, "{progress}");
    assert_eq!(progress.matches(" finished in ").count(), 7, "{progress}");
    assert!(progress.contains("log: fixed 3"), "{progress}");
    assert!(progress.contains("phase: Fix"), "{progress}");
}

#[test]
fn dry_run_counts_agents_per_phase() {
    let sandbox = Sandbox::new("dry");
    sandbox.write("fanout.workflow.js", FANOUT);
    let output = sandbox.baton(&["run", "fanout.workflow.js", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let printed = stdout(&output);
    // The phase table, then (after a blank line) the estimate.
    let table: Vec<Vec<String>> = printed
        .lines()
        .skip(2)
        .take_while(|line| !line.is_empty())
        .map(|line| line.split_whitespace().map(String::from).collect())
        .collect();
    let rows: Vec<(String, String)> = table
        .iter()
        .map(|r| (r[..r.len() - 1].join(" "), r[r.len() - 1].clone()))
        .collect();
    let expected = [("Find", "3"), ("Fix", "3"), ("Report", "1"), ("total", "7")];
    assert_eq!(
        rows,
        expected
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec()
    );
    assert!(printed.contains("\nagents            7\n"), "{printed}");
}

#[test]
fn a_syntax_error_starts_no_agent_and_exits_1() {
    let sandbox = Sandbox::new("syntax");
    sandbox.write(
        "broken.workflow.js",
        "export const meta = { name: \"b\", description: \"d\" };\nawait agent(\"never\");\nconst x = ;\n",
    );
    let output = sandbox.baton(&["run", "broken.workflow.js", "--model", "sim"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("broken.workflow.js:3:11"), "{text}");
    assert!(!text.contains("agent #1"), "no agent may start: {text}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn check_prints_meta_or_every_problem_with_a_frame() {
    let sandbox = Sandbox::new("check");
    sandbox.write("fanout.workflow.js", FANOUT);
    let good = sandbox.baton(&["check", "fanout.workflow.js"]);
    assert_eq!(good.status.code(), Some(0));
    let text = stdout(&good);
    assert!(text.contains("name:        fanout"), "{text}");
    assert!(text.contains("2. Fix — one fixer each"), "{text}");

    sandbox.write(
        "bad.workflow.js",
        "export const meta = {\n  name: NAME,\n  description: `made ${today}`,\n  phases: [...more],\n  extra: 1,\n};\nreturn 1;\n",
    );
    let bad = sandbox.baton(&["check", "bad.workflow.js"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = stderr(&bad);
    for position in [
        "bad.workflow.js:2:9",
        "bad.workflow.js:3:16",
        "bad.workflow.js:4:12",
    ] {
        assert!(text.contains(position), "missing {position} in:\n{text}");
    }
    assert!(
        text.contains("   2 |   name: NAME,"),
        "code frame missing:\n{text}"
    );
}

#[test]
fn a_failing_script_exits_1_with_its_position() {
    let sandbox = Sandbox::new("fail");
    sandbox.write(
        "fail.workflow.js",
        "export const meta = { name: \"f\", description: \"d\" };\nconst r = await agent(\"x\");\nthrow new Error(\"gave up\");\nreturn r;\n",
    );
    let output = sandbox.baton(&["run", "fail.workflow.js", "--model", "sim"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.starts_with("baton: run")
            && text.contains("\nfail.workflow.js:3:11: error: Error: gave up"),
        "{text}"
    );
}

#[test]
fn user_errors_get_one_clear_line_and_exit_2() {
    let sandbox = Sandbox::new("usage");
    sandbox.write("fanout.workflow.js", FANOUT);
    let cases: [(&[&str], &str); 5] = [
        (
            &["run", "missing.workflow.js", "--model", "sim"],
            "no workflow file or saved workflow named 'missing.workflow.js'",
        ),
        (
            &[
                "run",
                "fanout.workflow.js",
                "--model",
                "sim",
                "--args",
                "{\"a\":",
            ],
            "--args is not valid JSON",
        ),
        (
            &[
                "run",
                "fanout.workflow.js",
                "--model",
                "sim",
                "--sim-latency",
                "fast",
            ],
            "invalid sim latency",
        ),
        (
            &["run", "fanout.workflow.js"],
            "no model provider is configured: set ANTHROPIC_API_KEY",
        ),
        (
            &[
                "run",
                "fanout.workflow.js",
                "--model",
                "sim",
                "--concurrency",
                "0",
            ],
            "--concurrency",
        ),
    ];
    for (args, message) in cases {
        let output = sandbox.baton(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let text = stderr(&output);
        assert!(
            text.contains(message),
            "{args:?}: expected '{message}' in:\n{text}"
        );
        assert!(!text.contains("panicked"), "{text}");
    }
}

#[test]
fn a_saved_workflow_runs_by_name() {
    let sandbox = Sandbox::new("saved");
    sandbox.write(".claude/workflows/fanout.workflow.js", FANOUT);
    let output = sandbox.baton(&["run", "fanout", "--model", "sim", "--args", "\"hello\""]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("\"args\": \"hello\""));
}

/// Every example under `examples/` runs to completion on the `sim` model.
#[test]
fn every_example_runs_on_sim() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".workflow.js"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 10,
        "expected at least ten examples, found {}",
        scripts.len()
    );
    let sandbox = Sandbox::new("examples");
    for script in scripts {
        let output = sandbox.baton(&[
            "run",
            script.to_str().unwrap(),
            "--model",
            "sim",
            "--sim-latency",
            "0",
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{} failed:\n{}",
            script.display(),
            stderr(&output)
        );
        serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap();
    }
}
