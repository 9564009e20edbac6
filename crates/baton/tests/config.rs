//! Settings from every source, through the real binary: `baton config` says where each value
//! comes from, and a run obeys the same order (flag > `BATON_*` > project file > user file >
//! default), counted by the requests the mock LLM server receives.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use baton_testkit::{MockConfig, MockLlm};
use support::{baton_command, stderr, WIRES};

const FIVE_IN_A_ROW: &str = r#"export const meta = { name: "five", description: "five agents in a row" };
const answers = [];
for (let i = 0; i < 5; i++) {
  try { answers.push(await agent(`Task ${i}: say done.`)); } catch (e) { answers.push(e.name); }
}
return answers;
"#;

/// A home with a user config, and a project below it with its own.
fn project(user: &str, project: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".baton")).unwrap();
    std::fs::create_dir_all(home.path().join("app/.baton")).unwrap();
    std::fs::write(home.path().join(".baton/config.toml"), user).unwrap();
    std::fs::write(home.path().join("app/.baton/config.toml"), project).unwrap();
    std::fs::write(home.path().join("app/five.workflow.js"), FIVE_IN_A_ROW).unwrap();
    home
}

/// `baton config` in `dir` with `HOME` at `home` and only the given `BATON_*` variables.
fn baton_config(dir: &Path, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .arg("config")
        .args(args)
        .current_dir(dir)
        .env("HOME", home);
    for (name, _) in std::env::vars() {
        if name.starts_with("BATON_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied()).output().unwrap()
}

/// The `value` and `source` columns of one setting's row.
fn row(output: &Output, key: &str) -> (String, String) {
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|line| line.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no {key} row in:\n{text}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    (fields[1].to_string(), fields[2..].join(" "))
}

#[test]
fn config_names_the_source_of_every_value() {
    let home = project(
        "max_agents = 40\nbudget_tokens = 9000\nconcurrency = 3\n[http]\nmax_retries = 2\n",
        "max_agents = 30\nbudget_tokens = 8000\n[permissions]\nallow = [\"Bash(make:*)\"]\n",
    );
    let app = home.path().join("app");
    let output = baton_config(
        &app,
        home.path(),
        &["--max-agents", "10", "--allow", "Read"],
        &[("BATON_MAX_AGENTS", "20"), ("BATON_MAX_COST_USD", "2.5")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let user_file = home.path().join(".baton/config.toml").display().to_string();
    let project_file = app.join(".baton/config.toml").display().to_string();
    assert_eq!(row(&output, "max_agents"), ("10".into(), "flag".into()));
    assert_eq!(
        row(&output, "max_cost_usd"),
        ("2.5".into(), "env BATON_MAX_COST_USD".into())
    );
    assert_eq!(row(&output, "budget_tokens"), ("8000".into(), project_file));
    assert_eq!(row(&output, "concurrency"), ("3".into(), user_file.clone()));
    assert_eq!(row(&output, "http.max_retries"), ("2".into(), user_file));
    assert_eq!(
        row(&output, "script_heap_mib"),
        ("256".into(), "default".into())
    );
    assert_eq!(row(&output, "at_cap"), ("finish".into(), "default".into()));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("permissions.allow        Bash(make:*)") && text.contains("Read"),
        "rules add up:\n{text}"
    );
}

/// Flags, variables, and the cap that binds.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], usize);

#[test]
fn a_run_obeys_the_same_order() {
    let home = project("max_agents = 4\n", "max_agents = 3\n");
    let app = home.path().join("app");
    let cases: [Case; 4] = [
        (&[], &[], 3),
        (&[], &[("BATON_MAX_AGENTS", "2")], 2),
        (&["--max-agents", "1"], &[("BATON_MAX_AGENTS", "2")], 1),
        (&["--max-agents", "5"], &[], 5),
    ];
    for (flags, env, cap) in cases {
        let mock = MockLlm::start(MockConfig::default().with_api_key(support::KEY));
        let mut command = baton_command(
            &app,
            &mock,
            WIRES[0],
            &[&["five.workflow.js"][..], flags].concat(),
            env,
        );
        command.env("HOME", home.path());
        let output = command.output().unwrap();
        let log = stderr(&output);
        assert!(output.status.success(), "{log}");
        assert_eq!(mock.requests().len(), cap, "{flags:?} {env:?}\n{log}");
        if cap < 5 {
            assert!(
                log.contains(&format!("agent cap reached (--max-agents {cap})")),
                "{log}"
            );
        }
    }
}

#[test]
fn http_settings_come_from_the_config_file_too() {
    let home = project("", "[http]\nstream = false\n");
    let app = home.path().join("app");
    let mock = MockLlm::start(MockConfig::default().with_api_key(support::KEY));
    let mut command = baton_command(&app, &mock, WIRES[0], &["five.workflow.js"], &[]);
    // The test wires set BATON_HTTP_STREAM; without it the project's file decides.
    command
        .env("HOME", home.path())
        .env_remove("BATON_HTTP_STREAM");
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let requests = mock.requests();
    assert_eq!(requests.len(), 5);
    assert!(requests.iter().all(|r| !r.stream));
}

#[test]
fn a_bad_config_file_is_one_error_that_names_it() {
    let home = project("", "max_agent = 3\n");
    let app = home.path().join("app");
    let output = baton_config(&app, home.path(), &[], &[]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{log}");
    assert!(log.starts_with("error: "), "{log}");
    assert!(
        log.contains(&format!(
            "{} is not a valid baton config",
            app.join(".baton/config.toml").display()
        )) && log.contains("unknown field `max_agent`"),
        "{log}"
    );

    let home = project("concurrency = 0\n", "");
    let output = baton_config(&home.path().join("app"), home.path(), &[], &[]);
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{log}");
    assert_eq!(
        log.trim_end(),
        format!(
            "error: {}: concurrency = 0: expected 1–256",
            home.path().join(".baton/config.toml").display()
        )
    );
}
