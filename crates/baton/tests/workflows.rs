//! Saved workflows through the real binary: `baton workflows` (discovery, precedence, broken
//! files with their reasons), `baton run <name>`, and `baton save` (where it writes, what it
//! refuses: links, existing files, bad names, unknown runs). `HOME` is a folder of the test's
//! own, so personal workflows are under its control.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A temp dir holding `home/` (the user's home) and `project/` (where baton runs).
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let world = World {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(world.home()).unwrap();
        // The project is a repository: its root is the workspace, wherever baton runs in it.
        std::fs::create_dir_all(world.project().join(".git")).unwrap();
        world
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn project(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `baton <args>` in `cwd`, with nothing of the user's (config, journal, keys).
    fn baton_in(&self, cwd: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(args)
            .current_dir(cwd)
            .env("HOME", self.home())
            .env("BATON_HOME", self.dir.path().join("journal"))
            .env_remove("BATON_MODEL")
            .env_remove("BATON_MAX_CONCURRENT_AGENTS")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn baton(&self, args: &[&str]) -> Output {
        self.baton_in(&self.project(), args)
    }

    /// Runs a script file on `sim` and returns the new run's id.
    fn run_file(&self, name: &str, text: &str) -> String {
        self.write(&self.project().join(name), text);
        let output = self.baton(&["run", name, "--model", "sim"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let runs = self.json(&self.project(), &["runs", "--json"]);
        runs[0]["id"].as_str().unwrap().to_string()
    }

    fn json(&self, cwd: &Path, args: &[&str]) -> Value {
        let output = self.baton_in(cwd, args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// `baton run <name> --model sim` in `cwd`: the result.
    fn run_saved(&self, cwd: &Path, name: &str) -> Value {
        self.json(cwd, &["run", name, "--model", "sim"])
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 2 with exactly one line on stderr, an `error:` that contains `needle`.
fn assert_one_error(output: &Output, needle: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert_eq!(text.lines().count(), 1, "one line expected:\n{text}");
    assert!(text.starts_with("error: "), "{text}");
    assert!(text.contains(needle), "expected '{needle}' in:\n{text}");
}

/// A workflow that returns `marker`, so a run tells which copy ran.
fn script(name: &str, marker: &str) -> String {
    format!(
        "export const meta = {{\n  name: \"{name}\",\n  description: \"{marker} copy of {name}\",\n  phases: [{{ title: \"Scan\" }}, {{ title: \"Fix\" }}],\n}};\nreturn \"{marker}\";\n"
    )
}

#[test]
fn workflows_lists_project_and_personal_and_the_project_copy_wins() {
    let world = World::new();
    let project = world.project();
    let home = world.home();
    world.write(
        &project.join(".claude/workflows/sweep.workflow.js"),
        &script("sweep", "project"),
    );
    world.write(
        &home.join(".baton/workflows/sweep.workflow.js"),
        &script("sweep", "personal"),
    );
    world.write(
        &home.join(".claude/workflows/mine.workflow.js"),
        &script("mine", "personal"),
    );
    world.write(
        &project.join(".claude/workflows/README.md"),
        "not a workflow",
    );
    let sub = project.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();

    let output = world.baton_in(&sub, &["workflows"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("name"), "{text}");
    assert!(
        lines[0].contains("scope")
            && lines[0].contains("description")
            && lines[0].contains("phases")
    );
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} listed in:\n{text}"))
            .to_string()
    };
    assert!(row("mine").contains("personal"), "{text}");
    let sweep = row("sweep");
    assert!(
        sweep.contains("project") && sweep.contains("project copy of sweep"),
        "{text}"
    );
    assert!(sweep.contains("Scan, Fix"), "{text}");
    assert!(!text.contains("README"), "{text}");
    // The personal sweep is not dropped: it is listed as shadowed by the project's.
    let shadowed = text.split("shadowed").nth(1).expect("a shadowed section");
    assert!(
        shadowed.contains("~/.baton/workflows/sweep.workflow.js"),
        "{text}"
    );
    assert!(shadowed.contains("the project copy"), "{text}");

    let list = world.json(&sub, &["workflows", "--json"]);
    let entries: Vec<&serde_json::Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["scope"] != "built-in")
        .collect();
    assert_eq!(entries.len(), 3, "{list:#}");
    let personal_sweep = entries
        .iter()
        .find(|e| e["name"] == "sweep" && e["scope"] == "personal")
        .unwrap();
    assert_eq!(personal_sweep["runnable"], false);
    assert!(personal_sweep["shadowed_by"]
        .as_str()
        .unwrap()
        .ends_with(".claude/workflows/sweep.workflow.js"));
    let project_sweep = entries
        .iter()
        .find(|e| e["name"] == "sweep" && e["scope"] == "project")
        .unwrap();
    assert_eq!(project_sweep["runnable"], true);
    assert_eq!(project_sweep["phases"][1]["title"], "Fix");

    assert_eq!(world.run_saved(&sub, "sweep"), "project");
    assert_eq!(world.run_saved(&sub, "mine"), "personal");
}

#[test]
fn the_nearest_folder_wins() {
    let world = World::new();
    let project = world.project();
    let inner = project.join("packages/app");
    std::fs::create_dir_all(inner.join("src")).unwrap();
    world.write(
        &project.join(".claude/workflows/review.workflow.js"),
        &script("review", "outer"),
    );
    world.write(
        &inner.join(".claude/workflows/review.workflow.js"),
        &script("review", "inner"),
    );
    // `.baton/` beside `.claude/` in the same directory wins there.
    world.write(
        &inner.join(".baton/workflows/review.workflow.js"),
        &script("review", "inner-baton"),
    );
    world.write(
        &world.home().join(".baton/workflows/review.workflow.js"),
        &script("review", "personal"),
    );

    assert_eq!(world.run_saved(&project, "review"), "outer");
    assert_eq!(world.run_saved(&inner.join("src"), "review"), "inner-baton");
    std::fs::remove_file(inner.join(".baton/workflows/review.workflow.js")).unwrap();
    assert_eq!(world.run_saved(&inner, "review"), "inner");
}

#[test]
fn broken_files_are_listed_with_their_reason_and_do_not_run() {
    let world = World::new();
    let folder = world.project().join(".baton/workflows");
    world.write(
        &folder.join("badmeta.workflow.js"),
        "export const meta = { name: \"badmeta\", description: 42 };\nreturn 1;\n",
    );
    world.write(&folder.join("nometa.workflow.js"), "return 1;\n");
    world.write(
        &folder.join("imports.workflow.js"),
        "export const meta = { name: \"i\", description: \"d\" };\nimport fs from \"fs\";\n",
    );
    world.write(&folder.join("good.workflow.js"), &script("good", "fine"));
    // A valid personal copy does not stand in for the broken project one.
    world.write(
        &world.home().join(".baton/workflows/badmeta.workflow.js"),
        &script("badmeta", "personal"),
    );

    let output = world.baton(&["workflows"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let broken = text
        .split("cannot run")
        .nth(1)
        .expect("a cannot-run section");
    for (name, reason) in [
        ("badmeta", "description"),
        ("nometa", "meta"),
        ("imports", "import"),
    ] {
        let line = broken
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in:\n{text}"));
        assert!(line.contains(reason) && line.contains("line "), "{line}");
    }
    let table = text.split("cannot run").next().unwrap();
    assert!(table.contains("good"), "{text}");
    assert!(!table.lines().any(|l| l.starts_with("nometa")), "{text}");

    let list = world.json(&world.project(), &["workflows", "--json"]);
    let nometa = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "nometa")
        .unwrap();
    assert_eq!(nometa["runnable"], false);
    assert!(nometa["error"].as_str().unwrap().contains("meta"));

    // Running a broken one by name reports why, runs nothing, and is not the personal copy.
    let output = world.baton(&["run", "badmeta", "--model", "sim"]);
    // Exit 1, like `baton check`: the script is wrong, not the command line.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("description"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
    let output = world.baton(&["runs", "--json"]);
    assert_eq!(stdout(&output).trim(), "[]");
}

#[test]
fn save_writes_the_runs_script_where_run_finds_it() {
    let world = World::new();
    let text = script("first", "saved");
    let id = world.run_file("first.workflow.js", &text);
    let sub = world.project().join("sub");
    std::fs::create_dir_all(&sub).unwrap();

    let output = world.baton_in(&sub, &["save", &id, "--name", "keep"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let saved = world.project().join(".baton/workflows/keep.workflow.js");
    assert!(
        stdout(&output).contains(&saved.display().to_string()),
        "{}",
        stdout(&output)
    );
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), text);
    assert_eq!(world.run_saved(&sub, "keep"), "saved");

    // An existing name is kept unless --force.
    let other = world.run_file("second.workflow.js", &script("second", "replaced"));
    let output = world.baton(&["save", &other, "--name", "keep"]);
    assert_one_error(&output, "--force");
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), text);
    let output = world.baton(&["save", &other, "--name", "keep.workflow.js", "--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(world.run_saved(&sub, "keep"), "replaced");
    let names: Vec<String> = std::fs::read_dir(saved.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["keep.workflow.js"]);
}

#[test]
fn save_personal_writes_in_the_home_folder() {
    let world = World::new();
    let id = world.run_file("mine.workflow.js", &script("mine", "mine"));
    let output = world.baton(&["save", &id, "--name", "mine", "--personal"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(world
        .home()
        .join(".baton/workflows/mine.workflow.js")
        .is_file());
    assert!(!world.project().join(".baton").exists());
    let list = world.json(&world.project(), &["workflows", "--json"]);
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "mine")
        .unwrap();
    assert_eq!(mine["scope"], "personal");
}

#[test]
fn save_refuses_to_write_through_a_symlink() {
    let world = World::new();
    let id = world.run_file("x.workflow.js", &script("x", "x"));
    let outside = world.dir.path().join("precious.txt");
    std::fs::write(&outside, "precious").unwrap();
    let folder = world.project().join(".baton/workflows");
    std::fs::create_dir_all(&folder).unwrap();
    std::os::unix::fs::symlink(&outside, folder.join("evil.workflow.js")).unwrap();

    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec!["save", id.as_str(), "--name", "evil"];
        args.extend_from_slice(extra);
        assert_one_error(&world.baton(&args), "symbolic link");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
    }
    // A dangling link is no different: nothing is created where it points.
    std::os::unix::fs::symlink(
        world.dir.path().join("made-by-baton"),
        folder.join("dangling.workflow.js"),
    )
    .unwrap();
    assert_one_error(
        &world.baton(&["save", &id, "--name", "dangling"]),
        "symbolic link",
    );
    assert!(!world.dir.path().join("made-by-baton").exists());
}

#[test]
fn save_refuses_a_project_folder_linked_outside_the_project() {
    let world = World::new();
    let id = world.run_file("x.workflow.js", &script("x", "x"));
    let elsewhere = world.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(world.project().join(".baton")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, world.project().join(".baton/workflows")).unwrap();

    assert_one_error(
        &world.baton(&["save", &id, "--name", "x"]),
        "outside the project",
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn save_reports_bad_names_and_unknown_runs() {
    let world = World::new();
    let id = world.run_file("x.workflow.js", &script("x", "x"));
    for bad in ["../x", "a/b", ".hidden", "", "two words"] {
        assert_one_error(&world.baton(&["save", &id, "--name", bad]), "--name");
    }
    assert_one_error(
        &world.baton(&["save", "wf_000000000000", "--name", "x"]),
        "no run wf_000000000000",
    );
    assert!(!world.project().join(".baton").exists());
}

#[test]
fn built_in_workflows_are_listed_run_anywhere_and_a_project_copy_shadows_one() {
    let world = World::new();
    let text = stdout(&world.baton(&["workflows"]));
    for name in [
        "deep-research",
        "research-angles-judge",
        "majority-vote-review",
        "implement-verify-fix",
    ] {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} listed in:\n{text}"));
        assert!(row.contains("built-in"), "{row}");
    }

    // From a directory that is no project at all: the binary carries them.
    let elsewhere = world.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let judged = world.json(
        &elsewhere,
        &[
            "run",
            "research-angles-judge",
            "--model",
            "sim",
            "--sim-latency",
            "0",
            "--args",
            "\"Is it worth it?\"",
        ],
    );
    assert_eq!(judged["question"], "Is it worth it?");
    // deep-research refuses to guess a question: one clear failure, no agent started.
    let output = world.baton_in(&elsewhere, &["run", "deep-research", "--model", "sim"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("deep-research needs a question"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("0 agents"), "{}", stderr(&output));

    // `baton check` takes the name too, and the built-in script passes it.
    let checked = world.baton_in(&elsewhere, &["check", "deep-research"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(stdout(&checked).contains("name:        deep-research"));
    // (A warning remains where no search backend is configured.)
    assert!(
        !stderr(&checked).contains(": error:"),
        "{}",
        stderr(&checked)
    );

    // A project file of the same name wins it; the built-in one is listed as shadowed.
    world.write(
        &world
            .project()
            .join(".baton/workflows/deep-research.workflow.js"),
        &script("deep-research", "project"),
    );
    assert_eq!(
        world.run_saved(&world.project(), "deep-research"),
        "project"
    );
    let text = stdout(&world.baton(&["workflows"]));
    let row = text
        .lines()
        .find(|l| l.starts_with("deep-research "))
        .unwrap();
    assert!(
        row.contains("project") && !row.contains("built-in"),
        "{text}"
    );
    let shadowed = text.split("shadowed").nth(1).expect("a shadowed section");
    assert!(
        shadowed.contains("deep-research  built-in  <built-in>/deep-research.workflow.js"),
        "{text}"
    );
    let list = world.json(&world.project(), &["workflows", "--json"]);
    let built_in = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "deep-research" && e["scope"] == "built-in")
        .unwrap();
    assert_eq!(built_in["runnable"], false, "{built_in:#}");
    // Elsewhere, the built-in one still runs.
    let output = world.baton_in(&elsewhere, &["run", "deep-research", "--model", "sim"]);
    assert!(stderr(&output).contains("deep-research needs a question"));
}
