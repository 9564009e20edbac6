//! Every way to give a script its `args`, through the real binary: `--args`, `--args-file`,
//! JSON on standard input (a pipe, a file, `-`), `--arg key=value`, and `--input` CSV and
//! JSONL files as `args.rows`; and each malformed input as one error line naming its line.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

/// Returns its args whole, so a test sees exactly what the script got.
const ECHO: &str = "export const meta = { name: \"echo\", description: \"returns its args\" };\nreturn { args: args ?? null };\n";

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let workspace = Workspace {
            dir: tempfile::tempdir().unwrap(),
        };
        workspace.write("echo.workflow.js", ECHO);
        workspace
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    /// `baton run echo.workflow.js --model sim <extra>`, standard input set by `stdin`.
    fn command(&self, extra: &[&str], stdin: Stdio) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command
            .args(["run", "echo.workflow.js", "--model", "sim"])
            .args(extra)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("BATON_HOME", self.path().join(".baton"))
            .env_remove("BATON_MODEL")
            .env_remove("BATON_MAX_CONCURRENT_AGENTS")
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn run(&self, extra: &[&str]) -> Output {
        self.command(extra, Stdio::null()).output().unwrap()
    }

    /// Runs with `text` written to a pipe on standard input, which is then closed.
    fn run_piped(&self, extra: &[&str], text: &str) -> Output {
        let mut child = self.command(extra, Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // A run that does not read standard input may be gone before this write: its closed
        // pipe is not the test's failure.
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("{e}"),
            _ => {}
        }
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    /// Runs with the file `name` as standard input (`< name`).
    fn run_from_file(&self, extra: &[&str], name: &str) -> Output {
        let file = std::fs::File::open(self.path().join(name)).unwrap();
        self.command(extra, Stdio::from(file)).output().unwrap()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The args the script saw, from a run that must have completed.
fn args_of(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    let result: Value = serde_json::from_slice(&output.stdout).expect("the result is JSON");
    result["args"].clone()
}

/// Exit 2 with exactly one line on stderr, an `error:` holding every needle; nothing ran.
fn assert_one_error(output: &Output, needles: &[&str]) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert_eq!(text.lines().count(), 1, "one line expected:\n{text}");
    assert!(text.starts_with("error: "), "{text}");
    for needle in needles {
        assert!(text.contains(needle), "expected '{needle}' in:\n{text}");
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn args_json_and_repeated_arg() {
    let workspace = Workspace::new();
    let output = workspace.run(&[
        "--args",
        r#"{"a": 1}"#,
        "--arg",
        "n=2",
        "--arg",
        "who=me",
        "--arg",
        "list=[1,\"x\"]",
        "--arg",
        "flag=true",
        "--arg",
        "text=a=b",
    ]);
    assert_eq!(
        args_of(&output),
        json!({"a": 1, "n": 2, "who": "me", "list": [1, "x"], "flag": true, "text": "a=b"})
    );
    assert_eq!(
        args_of(&workspace.run(&["--arg", "n=07"])),
        json!({"n": "07"})
    );
    assert_one_error(&workspace.run(&["--arg", "novalue"]), &["KEY=VALUE"]);
    assert_one_error(
        &workspace.run(&["--args", "{\"a\":"]),
        &["--args", "not valid JSON"],
    );
}

#[test]
fn args_file() {
    let workspace = Workspace::new();
    workspace.write("args.json", "{\n  \"shards\": 4\n}\n");
    assert_eq!(
        args_of(&workspace.run(&["--args-file", "args.json"])),
        json!({"shards": 4})
    );
    workspace.write("bad.json", "{\n  \"shards\": 4,\n}\n");
    assert_one_error(
        &workspace.run(&["--args-file", "bad.json"]),
        &["--args-file bad.json", "line 3"],
    );
    assert_one_error(
        &workspace.run(&["--args-file", "missing.json"]),
        &["cannot read --args-file missing.json"],
    );
}

#[test]
fn json_on_standard_input() {
    let workspace = Workspace::new();
    // A pipe, with --arg added on top.
    let output = workspace.run_piped(&["--arg", "n=1"], "{\"from\": \"pipe\"}\n");
    assert_eq!(args_of(&output), json!({"from": "pipe", "n": 1}));
    // A file redirected in.
    workspace.write("in.json", "[1, 2, 3]");
    assert_eq!(
        args_of(&workspace.run_from_file(&[], "in.json")),
        json!([1, 2, 3])
    );
    // `-` asks for it explicitly.
    assert_eq!(
        args_of(&workspace.run_piped(&["--args", "-"], "\"text\"")),
        json!("text")
    );
    assert_eq!(
        args_of(&workspace.run_piped(&["--args-file", "-"], "{\"k\": null}")),
        json!({"k": null})
    );
    // --args wins over a pipe, which is then not read at all.
    assert_eq!(
        args_of(&workspace.run_piped(&["--args", "5"], "not json")),
        json!(5)
    );
}

#[test]
fn an_empty_or_absent_standard_input_means_no_args() {
    let workspace = Workspace::new();
    assert_eq!(args_of(&workspace.run(&[])), Value::Null);
    assert_eq!(args_of(&workspace.run_piped(&[], "")), Value::Null);
    assert_eq!(args_of(&workspace.run_piped(&[], "\n  \n")), Value::Null);
    workspace.write("empty.json", "");
    assert_eq!(
        args_of(&workspace.run_from_file(&[], "empty.json")),
        Value::Null
    );
    // Garbage on a pipe is an error that says how to run without reading it.
    assert_one_error(
        &workspace.run_piped(&[], "hello\n"),
        &["standard input is not valid JSON", "</dev/null"],
    );
    // Asked for with `-`, an empty input is an error rather than no args.
    assert_one_error(
        &workspace.run_piped(&["--args", "-"], ""),
        &["standard input is empty"],
    );
}

#[test]
fn csv_input_becomes_rows_of_strings() {
    let workspace = Workspace::new();
    workspace.write(
        "people.csv",
        "\u{feff}id,name,notes\r\n1,\"Smith, Jane\",\"said \"\"hi\"\"\"\r\n2,Bob,\"two\r\nlines, and a comma\"\r\n3,,007\r\n\r\n",
    );
    let output = workspace.run(&["--input", "people.csv", "--arg", "batch=1"]);
    assert_eq!(
        args_of(&output),
        json!({
            "batch": 1,
            "rows": [
                {"id": "1", "name": "Smith, Jane", "notes": "said \"hi\""},
                {"id": "2", "name": "Bob", "notes": "two\r\nlines, and a comma"},
                {"id": "3", "name": "", "notes": "007"},
            ]
        })
    );
    // The header's order is the keys' order.
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (id, name, notes) = (
        text.find("\"id\"").unwrap(),
        text.find("\"name\"").unwrap(),
        text.find("\"notes\"").unwrap(),
    );
    assert!(id < name && name < notes, "{text}");
    workspace.write("header-only.csv", "a,b\n");
    assert_eq!(
        args_of(&workspace.run(&["--input", "header-only.csv"])),
        json!({"rows": []})
    );
}

#[test]
fn a_malformed_csv_line_is_reported_with_its_number() {
    let workspace = Workspace::new();
    // The second record spans lines 2–3; the short record starts on line 5.
    workspace.write("bad.csv", "id,text\n1,\"first\nsecond\"\n2,ok\n3\n4,fine\n");
    assert_one_error(
        &workspace.run(&["--input", "bad.csv"]),
        &[
            "--input bad.csv",
            "line 5",
            "1 field",
            "header (line 1) has 2",
        ],
    );
    workspace.write("open.csv", "id,text\n1,ok\n2,\"never closed\n3,x\n");
    assert_one_error(
        &workspace.run(&["--input", "open.csv"]),
        &["line 3", "never closed"],
    );
    workspace.write("dup.csv", "id,id\n1,2\n");
    assert_one_error(
        &workspace.run(&["--input", "dup.csv"]),
        &["line 1", "'id' twice"],
    );
    workspace.write("empty.csv", "");
    assert_one_error(&workspace.run(&["--input", "empty.csv"]), &["header row"]);
}

#[test]
fn jsonl_input_becomes_rows_and_a_bad_line_is_named() {
    let workspace = Workspace::new();
    workspace.write(
        "items.jsonl",
        "{\"id\": 1, \"tags\": [\"a\"]}\n\n{\"id\": 2, \"deep\": {\"x\": null}}\n",
    );
    assert_eq!(
        args_of(&workspace.run(&["--input", "items.jsonl"])),
        json!({"rows": [{"id": 1, "tags": ["a"]}, {"id": 2, "deep": {"x": null}}]})
    );
    workspace.write("items.ndjson", "{\"id\": 1}\r\n");
    assert_eq!(
        args_of(&workspace.run(&["--input", "items.ndjson"])),
        json!({"rows": [{"id": 1}]})
    );
    workspace.write("bad.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": }\n");
    assert_one_error(
        &workspace.run(&["--input", "bad.jsonl"]),
        &["--input bad.jsonl", "line 3", "not valid JSON"],
    );
    workspace.write("array.jsonl", "{\"id\": 1}\n[2]\n");
    assert_one_error(
        &workspace.run(&["--input", "array.jsonl"]),
        &["line 2", "expected a JSON object"],
    );
}

#[test]
fn input_needs_a_known_format_an_object_and_a_free_rows_key() {
    let workspace = Workspace::new();
    workspace.write("data.txt", "a,b\n");
    assert_one_error(
        &workspace.run(&["--input", "data.txt"]),
        &["--input data.txt", ".csv", ".jsonl"],
    );
    assert_one_error(
        &workspace.run(&["--input", "missing.csv"]),
        &["--input missing.csv", "cannot read"],
    );
    workspace.write("data.csv", "a\n1\n");
    assert_one_error(
        &workspace.run(&["--input", "data.csv", "--args", "[1]"]),
        &["not an object"],
    );
    assert_one_error(
        &workspace.run(&["--input", "data.csv", "--arg", "rows=1"]),
        &["`rows`"],
    );
    std::fs::write(workspace.path().join("latin1.csv"), b"a\n\xe9\n").unwrap();
    assert_one_error(
        &workspace.run(&["--input", "latin1.csv"]),
        &["line 2", "UTF-8"],
    );
}
