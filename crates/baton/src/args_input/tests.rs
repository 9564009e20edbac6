//! Every input form and how they combine, with standard input played by a test.

use std::cell::Cell;
use std::path::PathBuf;

use super::*;
use serde_json::json;

/// Standard input for a test: `None` is the null device; `Some` a pipe holding the text.
struct FakeStdin {
    text: Option<&'static str>,
    reads: Cell<u32>,
}

impl FakeStdin {
    fn new(text: Option<&'static str>) -> Self {
        FakeStdin {
            text,
            reads: Cell::new(0),
        }
    }
}

impl StdinSource for FakeStdin {
    fn kind(&self) -> StdinKind {
        if self.text.is_some() {
            StdinKind::Data
        } else {
            StdinKind::Other
        }
    }

    fn read(&self, _explicit: bool) -> Result<String> {
        self.reads.set(self.reads.get() + 1);
        Ok(self.text.unwrap_or("").to_string())
    }
}

fn inputs(args: Option<&str>, arg: &[&str]) -> InputArgs {
    InputArgs {
        args: args.map(String::from),
        args_file: None,
        arg: arg.iter().map(|s| s.to_string()).collect(),
        input: None,
    }
}

fn args(inputs: &InputArgs) -> Result<Option<Value>> {
    gather(inputs, &FakeStdin::new(None))
}

#[test]
fn json_text_and_plain_text() {
    assert_eq!(
        args(&inputs(Some(r#"{"a":1}"#), &[])).unwrap(),
        Some(json!({"a": 1}))
    );
    assert_eq!(args(&inputs(Some("42"), &[])).unwrap(), Some(json!(42)));
    assert_eq!(
        args(&inputs(Some("hello"), &[])).unwrap(),
        Some(json!("hello"))
    );
    assert!(args(&inputs(Some("{\"a\":"), &[])).is_err());
    assert_eq!(args(&inputs(None, &[])).unwrap(), None);
}

#[test]
fn repeated_arg_builds_an_object() {
    let value = args(&inputs(
        Some(r#"{"a":1}"#),
        &["n=3", "name=x", "list=[1,2]", "eq=a=b"],
    ))
    .unwrap();
    assert_eq!(
        value,
        Some(json!({"a": 1, "n": 3, "name": "x", "list": [1, 2], "eq": "a=b"}))
    );
    assert!(args(&inputs(Some("[1]"), &["n=3"])).is_err());
    assert!(args(&inputs(None, &["novalue"])).is_err());
    assert!(args(&inputs(None, &["=1"])).is_err());
}

#[test]
fn a_pipe_is_read_when_nothing_else_gives_args() {
    let stdin = FakeStdin::new(Some("{\"from\": \"stdin\"}\n"));
    assert_eq!(
        gather(&inputs(None, &["n=1"]), &stdin).unwrap(),
        Some(json!({"from": "stdin", "n": 1}))
    );
    // --args wins, and standard input is not even read.
    let stdin = FakeStdin::new(Some("{\"from\": \"stdin\"}"));
    assert_eq!(
        gather(&inputs(Some("1"), &[]), &stdin).unwrap(),
        Some(json!(1))
    );
    assert_eq!(stdin.reads.get(), 0);
}

#[test]
fn an_empty_pipe_means_no_args_and_garbage_is_an_error() {
    let empty = FakeStdin::new(Some(" \n"));
    assert_eq!(gather(&inputs(None, &[]), &empty).unwrap(), None);
    let garbage = FakeStdin::new(Some("hello"));
    let error = gather(&inputs(None, &[]), &garbage)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("standard input is not valid JSON"),
        "{error}"
    );
    assert!(error.contains("</dev/null"), "{error}");
}

#[test]
fn dash_reads_standard_input_explicitly() {
    let stdin = FakeStdin::new(Some("[1, 2]"));
    assert_eq!(
        gather(&inputs(Some("-"), &[]), &stdin).unwrap(),
        Some(json!([1, 2]))
    );
    let mut from_file = inputs(None, &[]);
    from_file.args_file = Some(PathBuf::from("-"));
    assert_eq!(gather(&from_file, &stdin).unwrap(), Some(json!([1, 2])));
    // Asked for explicitly, an empty standard input is an error, not "no args".
    let empty = FakeStdin::new(Some(""));
    let error = gather(&inputs(Some("-"), &[]), &empty)
        .unwrap_err()
        .to_string();
    assert!(error.contains("standard input is empty"), "{error}");
}

#[test]
fn args_file_must_be_json() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("a.json");
    std::fs::write(&good, "{\"k\": [1]}").unwrap();
    let bad = dir.path().join("b.json");
    std::fs::write(&bad, "{\n  \"k\": \n}").unwrap();
    let mut file = inputs(None, &[]);
    file.args_file = Some(good);
    assert_eq!(args(&file).unwrap(), Some(json!({"k": [1]})));
    file.args_file = Some(bad);
    let error = args(&file).unwrap_err().to_string();
    assert!(error.contains("line 3"), "{error}");
    file.args_file = Some(dir.path().join("missing.json"));
    assert!(args(&file).unwrap_err().to_string().contains("cannot read"));
}

#[test]
fn input_adds_rows_to_the_object() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("data.csv");
    std::fs::write(&csv, "id,name\n1,\"a, b\"\n").unwrap();
    let mut given = inputs(Some(r#"{"k": true}"#), &["n=2"]);
    given.input = Some(csv.clone());
    assert_eq!(
        args(&given).unwrap(),
        Some(json!({"k": true, "n": 2, "rows": [{"id": "1", "name": "a, b"}]}))
    );
    let mut alone = inputs(None, &[]);
    alone.input = Some(csv.clone());
    assert_eq!(
        args(&alone).unwrap(),
        Some(json!({"rows": [{"id": "1", "name": "a, b"}]}))
    );
    let mut not_object = inputs(Some("[1]"), &[]);
    not_object.input = Some(csv.clone());
    assert!(args(&not_object)
        .unwrap_err()
        .to_string()
        .contains("not an object"));
    let mut clash = inputs(None, &["rows=1"]);
    clash.input = Some(csv);
    assert!(args(&clash).unwrap_err().to_string().contains("`rows`"));
}
