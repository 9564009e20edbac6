//! The reference topic (`docs/workflows.md`) against the runtime: every global the sandbox
//! defines and every `agent()` option the runtime parses is documented, and nothing else is.

use std::sync::mpsc;

use baton_model::{AgentOptions, LogLevel};
use baton_script::{run, Host, HostError, Script, ScriptConfig, ScriptOutcome};
use serde_json::Value;

/// A host for scripts that start no agent.
struct NoAgents;

impl Host for NoAgents {
    fn start_agent(&mut self, _: u64, _: String, _: Value) -> Result<(), HostError> {
        Err(HostError::new("Error", "no agents here"))
    }
    fn log(&mut self, _: LogLevel, _: String) {}
    fn phase(&mut self, _: String) {}
    fn budget_spent(&mut self) -> u64 {
        0
    }
    fn load_workflow(&mut self, _: Value) -> Result<Script, String> {
        Err("no workflows here".into())
    }
}

/// ECMAScript's own lowercase globals; every other lowercase name on `globalThis` is the host's.
const LANGUAGE_GLOBALS: &[&str] = &[
    "globalThis",
    "undefined",
    "eval",
    "parseInt",
    "parseFloat",
    "isNaN",
    "isFinite",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "unescape",
];

/// The globals a real sandbox adds to the language's: its own lowercase names, enumerable or
/// not (constructors such as `Date` are the language's, replaced).
fn sandbox_globals() -> Vec<String> {
    let source = "export const meta = { name: \"g\", description: \"\" };\n\
                  return Object.getOwnPropertyNames(globalThis);\n"
        .to_string();
    let script = Script::from_source("globals.workflow.js", source).unwrap();
    let (_sender, inbox) = mpsc::channel();
    let config = ScriptConfig {
        args: None,
        seed: [1, 2, 3, 4],
        start_time_ms: 0.0,
        budget_total: None,
        limits: Default::default(),
        stop: Default::default(),
    };
    match run(&script, config, Box::new(NoAgents), inbox) {
        ScriptOutcome::Completed(Value::Array(keys)) => keys
            .into_iter()
            .map(|k| k.as_str().unwrap().to_string())
            .filter(|k| k.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter(|k| !LANGUAGE_GLOBALS.contains(&k.as_str()))
            .collect(),
        other => panic!("the globals script did not complete: {other:?}"),
    }
}

fn reference() -> &'static str {
    baton_guide::topic("reference").unwrap().text
}

#[test]
fn every_global_of_the_sandbox_is_documented_and_no_other() {
    let globals = sandbox_globals();
    assert!(globals.len() >= 10, "{globals:?}");
    let text = reference();
    let listed = text
        .lines()
        .find(|l| l.starts_with("Exactly these:"))
        .expect("the reference lists the globals in one sentence");
    let listed: Vec<&str> = text[text.find(listed).unwrap()..]
        .split("No `fetch`")
        .next()
        .unwrap()
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    let mut sorted_globals = globals.clone();
    sorted_globals.sort();
    let mut sorted_listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    sorted_listed.sort();
    assert_eq!(sorted_listed, sorted_globals, "the list of globals drifted");
    for global in &globals {
        assert!(
            text.lines().any(
                |l| l.starts_with("### ") && l.contains(&format!("`{global}"))
                    || l.starts_with("### ") && l.contains(&format!(" `{global}("))
                    || l.starts_with("### ") && l.contains(&format!("`{global}`"))
            ),
            "no section documents the global `{global}`"
        );
    }
}

#[test]
fn every_agent_option_is_documented_and_no_other() {
    // Serialized with its wire names (camelCase), every field present.
    let options = serde_json::to_value(AgentOptions::default()).unwrap();
    let mut runtime: Vec<String> = options.as_object().unwrap().keys().cloned().collect();
    runtime.sort();
    let mut documented: Vec<String> = reference()
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    documented.sort();
    assert_eq!(documented, runtime, "the agent() option table drifted");
}

#[test]
fn topics_are_short_and_the_index_names_them_all() {
    let index = baton_guide::index();
    for t in baton_guide::TOPICS {
        assert!(index.contains(&format!("`{}`", t.name)));
        assert!(t.text.starts_with("# "), "{} has no title", t.name);
        if t.name != "reference" {
            assert!(t.text.lines().count() <= 60, "{} is not short", t.name);
        }
    }
    assert!(baton_guide::render(Some("nope"))
        .unwrap_err()
        .contains("patterns"));
    assert_eq!(
        baton_guide::render(Some(" Patterns ")).unwrap(),
        baton_guide::topic("patterns").unwrap().text
    );
}

#[test]
fn every_example_the_guide_names_exists_and_every_example_is_named() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".workflow.js"))
        .collect();
    files.sort();
    let examples = baton_guide::topic("examples").unwrap().text;
    for file in &files {
        assert!(
            examples.contains(file.as_str()),
            "{file} is not in the guide"
        );
    }
    let all = baton_guide::all_except(&[]);
    // Names written as examples' are: a lowercase file name alone in backticks.
    let names = all
        .split('`')
        .filter(|s| s.ends_with(".workflow.js") && !s.contains(' '));
    for named in names {
        assert!(
            !named.starts_with(|c: char| c.is_ascii_lowercase())
                || named == "name.workflow.js"
                || files.iter().any(|f| f == named),
            "the guide names {named}, which examples/ lacks"
        );
    }
}
