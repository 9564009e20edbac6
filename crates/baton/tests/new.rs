//! `baton new` and `baton guide` through the real binary, against the mock LLM scripted as the
//! author, over both protocols: bad input spends nothing; a draft repaired twice shows the plan
//! and runs; `--print` and `--save`; the author's run is journaled and linked to the run it
//! produced.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::Value;
use support::{baton_subcommand, stderr, Wire, KEY, WIRES};

const SYNTAX_ERROR: &str =
    "```js\nexport const meta = { name: \"r\", description: \"d\" };\nconst x = ;\n```";
const CRASHES_ON_SIM: &str = "```js\nexport const meta = { name: \"r\", description: \"d\" };\nconst r = await agent(\"list\");\nreturn r.files.length;\n```";
const GOOD: &str = "```js\nexport const meta = { name: \"review-py\", description: \"Review each .py file, then summarize\", phases: [{ title: \"Review\", detail: \"one reviewer per file\" }, { title: \"Summarize\" }] };\nconst files = args?.files ?? [\"a.py\", \"b.py\"];\nphase(\"Review\");\nconst reviews = await parallel(files.map((f) => () => agent(`review ${f}`, { label: `review ${f}` })));\nphase(\"Summarize\");\nconst summary = await agent(`summarize ${JSON.stringify(reviews)}`, { label: \"summary\" });\nreturn { reviews, summary };\n```";

fn baton_new(dir: &Path, mock: &MockLlm, wire: Wire, extra: &[&str]) -> Output {
    baton_subcommand("new", dir, mock, wire, extra, &[])
        .output()
        .unwrap()
}

fn mock_author(drafts: &[&str]) -> MockLlm {
    let mut config = MockConfig::default();
    for (i, draft) in drafts.iter().enumerate() {
        let label = match i {
            0 => "author".to_string(),
            n => format!("author (repair {n})"),
        };
        config = config.with_rule(Rule::new(Match::label(label), vec![Turn::text(*draft)]));
    }
    MockLlm::start(config)
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), "print(1/0)\n").unwrap();
    std::fs::write(dir.path().join("b.py"), "x = [][0]\n").unwrap();
    dir
}

fn runs(dir: &Path) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["runs", "--json"])
        .current_dir(dir)
        .env_remove("BATON_HOME")
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

#[test]
fn bad_input_is_one_clear_error_exit_2_and_nothing_spent() {
    let mock = mock_author(&[GOOD]);
    let wire = WIRES[0];
    let dir = workspace();

    let empty = baton_new(dir.path(), &mock, wire, &["   "]);
    assert_eq!(empty.status.code(), Some(2), "{}", stderr(&empty));
    assert!(
        stderr(&empty).contains("the task is empty"),
        "{}",
        stderr(&empty)
    );

    // A model whose provider has no key: Anthropic's alias with only an OpenAI server around.
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    let no_key = command
        .args(["new", "review the files", "--model", "sonnet"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("BATON_MODEL")
        .env_remove("BATON_AUTHOR_MODEL")
        .env("OPENAI_BASE_URL", mock.openai_base_url())
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2), "{}", stderr(&no_key));
    assert!(
        stderr(&no_key).contains("ANTHROPIC_API_KEY"),
        "{}",
        stderr(&no_key)
    );
    // One message: what is wrong, then what to do about it.
    assert!(
        stderr(&no_key).starts_with("error: a model cannot be reached")
            && stderr(&no_key).contains("--alias"),
        "{}",
        stderr(&no_key)
    );

    // A workspace that cannot be read: the directory is gone under the process.
    let gone = dir.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let unreadable = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd '{}' && rmdir '{}' && exec '{}' new 'review the files'",
            gone.display(),
            gone.display(),
            env!("CARGO_BIN_EXE_baton")
        ))
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", mock.base_url())
        .output()
        .unwrap();
    assert_eq!(unreadable.status.code(), Some(2), "{}", stderr(&unreadable));
    assert!(
        stderr(&unreadable).starts_with("error: cannot read"),
        "{}",
        stderr(&unreadable)
    );
    assert!(!stderr(&unreadable).contains("panicked"));

    assert!(mock.requests().is_empty(), "nothing was spent");
    assert!(!dir.path().join(".baton").exists(), "nothing was journaled");
}

#[test]
fn guide_prints_the_index_and_topics() {
    let index = Command::new(env!("CARGO_BIN_EXE_baton"))
        .arg("guide")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&index.stdout);
    assert!(
        text.contains("`patterns`") && text.contains("`reference`"),
        "{text}"
    );
    let reference = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["guide", "reference"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&reference.stdout),
        include_str!("../../../docs/workflows.md")
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["guide", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("the topics are: format"));
}

#[test]
fn repaired_twice_then_the_plan_is_shown_and_the_run_completes() {
    for wire in WIRES {
        let mock = mock_author(&[SYNTAX_ERROR, CRASHES_ON_SIM, GOOD]);
        let dir = workspace();
        let out = baton_new(
            dir.path(),
            &mock,
            wire,
            &["review each .py file for bugs, then summarize", "--yes"],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{wire:?}: {err}");
        assert!(
            err.contains("review-py — Review each .py file"),
            "the plan card: {err}"
        );
        assert!(
            err.contains("1. Review — one reviewer per file · 2 agents"),
            "{err}"
        );
        assert!(err.contains("2 repairs"), "{err}");
        let result: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(result["summary"].is_string(), "{result}");
        // 3 author calls, then 2 reviewers and a summary.
        assert_eq!(mock.requests().len(), 6);
        let runs = runs(dir.path());
        let author = runs
            .iter()
            .find(|r| r["workflow"] == "baton new")
            .expect("the author's run");
        let produced = runs
            .iter()
            .find(|r| r["workflow"] == "review-py")
            .expect("the run");
        assert_eq!(author["status"], "completed");
        let show = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(["result", author["id"].as_str().unwrap()])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let record: Value = serde_json::from_slice(&show.stdout).unwrap();
        assert_eq!(
            record["run"], produced["id"],
            "the author's run names the run"
        );
        assert_eq!(record["repairs"], 2);
        let logs = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(["logs", produced["id"].as_str().unwrap()])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&logs.stdout).contains(author["id"].as_str().unwrap()),
            "the run names its author run"
        );
    }
}

#[test]
fn three_bad_drafts_stop_with_the_diagnostics_and_nothing_runs() {
    let mock = mock_author(&[SYNTAX_ERROR, SYNTAX_ERROR, SYNTAX_ERROR, SYNTAX_ERROR]);
    let dir = workspace();
    let out = baton_new(dir.path(), &mock, WIRES[2], &["t", "--yes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(":2:11: error"),
        "the last diagnostics, positioned: {err}"
    );
    assert!(err.contains("the last draft is kept in"), "{err}");
    assert_eq!(
        mock.requests().len(),
        4,
        "a draft and 3 repairs, no workflow agent"
    );
    let runs = runs(dir.path());
    assert_eq!(runs.len(), 1, "only the author's run: {runs:?}");
    assert_eq!(runs[0]["status"], "failed");
}

#[test]
fn print_writes_the_script_and_runs_nothing_and_save_names_it() {
    let mock = mock_author(&[GOOD]);
    let dir = workspace();
    let out = baton_new(dir.path(), &mock, WIRES[1], &["review", "--print"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.starts_with("export const meta = { name: \"review-py\""),
        "{printed}"
    );
    assert_eq!(mock.requests().len(), 1, "only the author was asked");

    let mock = mock_author(&[GOOD]);
    let out = baton_new(
        dir.path(),
        &mock,
        WIRES[3],
        &["review", "--save", "review-py"],
    );
    // No terminal and no --yes: saved, not run, and told how to run it.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("baton run review-py"),
        "{}",
        stderr(&out)
    );
    let saved = dir.path().join(".baton/workflows/review-py.workflow.js");
    assert!(std::fs::read_to_string(saved)
        .unwrap()
        .contains("review-py"));
    assert_eq!(mock.requests().len(), 1, "nothing ran");
}
