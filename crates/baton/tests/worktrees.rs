//! `isolation: "worktree"` end to end: agents edit the same file at once in their own
//! worktrees cut from the current `HEAD`; the main tree and its branch stay as they were;
//! worktrees without changes disappear, the others stay on their branches.

mod support;

use std::path::{Path, PathBuf};

use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::json;
use support::{baton_run, git, result, stderr, KEY, WIRES};

const ISOLATED: &str = r#"export const meta = { name: "isolated", description: "" };
return await parallel([
  () => agent("edit as a", { label: "edit-a", isolation: "worktree" }),
  () => agent("edit as b", { label: "edit-b", isolation: "worktree" }),
  () => agent("only look", { label: "look", isolation: "worktree" }),
]);
"#;

fn edit(label: &str, to: &str) -> Rule {
    Rule::new(
        Match::label(label),
        vec![
            Turn::tool(
                "Edit",
                json!({"file_path": "shared.txt", "old_string": "feature", "new_string": to}),
            ),
            Turn::text(format!("{label} done")),
        ],
    )
}

/// A repository whose checked-out branch is `feature`, one commit past `main`, with a dirty
/// main tree (a modified file and an untracked one).
fn repository(dir: &Path) {
    std::fs::write(dir.join("shared.txt"), "main\n").unwrap();
    std::fs::write(dir.join("other.txt"), "other\n").unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "main"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("shared.txt"), "feature\n").unwrap();
    git(dir, &["commit", "-qam", "feature"]);
    std::fs::write(dir.join("other.txt"), "dirty\n").unwrap();
    std::fs::write(dir.join("isolated.workflow.js"), ISOLATED).unwrap();
}

/// `(path, branch)` of every worktree the run says it kept.
fn kept(log: &str) -> Vec<(PathBuf, String)> {
    log.lines()
        .filter_map(|line| line.split_once("worktree kept: ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.strip_suffix(')')?.split_once(" (branch "))
        .map(|(path, branch)| (PathBuf::from(path), branch.to_string()))
        .collect()
}

#[test]
fn isolated_agents_edit_the_same_file_in_their_own_worktrees() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    repository(dir);
    let status_before = git(dir, &["status", "--porcelain"]);
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    let main = git(dir, &["rev-parse", "main"]).trim().to_string();
    assert_ne!(head, main);

    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_rule(edit("edit-a", "from a"))
            .with_rule(edit("edit-b", "from b"))
            .with_rule(Rule::new(
                Match::label("look"),
                vec![
                    Turn::tool("Read", json!({"file_path": "shared.txt"})),
                    Turn::text("looked"),
                ],
            )),
    );
    let output = baton_run(dir, &mock, WIRES[0], &["isolated.workflow.js"], &[]);
    assert_eq!(
        result(&output),
        json!(["edit-a done", "edit-b done", "looked"])
    );
    let log = stderr(&output);

    // Both edits succeeded, each in its own tree, cut from `feature`'s HEAD.
    let requests = mock.requests();
    let answer = |label: &str| {
        requests
            .iter()
            .find(|r| r.label.as_deref() == Some(label) && r.turn == 1)
            .unwrap()
            .tool_results[0]
            .clone()
    };
    assert!(!answer("edit-a").1 && !answer("edit-b").1, "{log}");
    assert!(answer("look").0.contains("feature"), "{:?}", answer("look"));

    let trees = kept(&log);
    assert_eq!(trees.len(), 2, "{log}");
    let mut contents = Vec::new();
    for (path, branch) in &trees {
        assert!(path.starts_with(dir.canonicalize().unwrap().join(".baton/worktrees")));
        assert!(branch.starts_with("baton/wf_"), "{branch}");
        assert_eq!(git(path, &["rev-parse", "HEAD"]).trim(), head);
        assert_eq!(
            git(path, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
            branch
        );
        contents.push(std::fs::read_to_string(path.join("shared.txt")).unwrap());
    }
    contents.sort();
    assert_eq!(contents, ["from a\n", "from b\n"]);

    // The tree that changed nothing is gone with its branch.
    assert!(log.contains("agent #3 look · worktree removed"), "{log}");
    let branches = git(dir, &["branch", "--list", "baton/*"]);
    assert_eq!(branches.lines().count(), 2, "{branches}");
    assert_eq!(git(dir, &["worktree", "list"]).lines().count(), 3);

    // The main tree: same branch, same status, same files.
    assert_eq!(
        git(dir, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "feature"
    );
    assert_eq!(git(dir, &["rev-parse", "HEAD"]).trim(), head);
    assert_eq!(git(dir, &["status", "--porcelain"]), status_before);
    assert_eq!(
        std::fs::read_to_string(dir.join("shared.txt")).unwrap(),
        "feature\n"
    );
}

const ONE: &str = r#"export const meta = { name: "one", description: "" };
try { return await agent("x", { isolation: "worktree" }); } catch (e) { return `${e.name}: ${e.message}`; }
"#;

#[test]
fn worktrees_need_a_repository_with_a_commit() {
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.workflow.js"), ONE).unwrap();
    let plain = baton_run(dir.path(), &mock, WIRES[0], &["one.workflow.js"], &[]);
    let message = result(&plain);
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("WorktreeIsolationError: ")
            && message.as_str().unwrap().contains("needs a git repository"),
        "{message}"
    );

    git(dir.path(), &["init", "-q"]);
    let empty = baton_run(dir.path(), &mock, WIRES[0], &["one.workflow.js"], &[]);
    let message = result(&empty);
    assert!(
        message.as_str().unwrap().contains("has no commit yet"),
        "{message}"
    );
    assert!(mock.requests().is_empty(), "no agent started");
}

#[test]
fn a_worktree_whose_only_changes_are_ignored_files_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join(".gitignore"), "build/\n").unwrap();
    std::fs::write(
        dir.join("flow.workflow.js"),
        r#"export const meta = { name: "ignored", description: "" };
return await agent("build it", { label: "builder", isolation: "worktree" });
"#,
    )
    .unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "start"]);
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::label("builder"),
        vec![
            Turn::tool(
                "Write",
                json!({"file_path": "build/out.txt", "content": "artifact\n"}),
            ),
            Turn::text("built"),
        ],
    )));
    let output = baton_run(dir, &mock, WIRES[0], &["flow.workflow.js"], &[]);
    assert_eq!(result(&output), json!("built"));
    // Git ignores build/, but the file is the agent's work: losing it would be worse.
    let kept = kept(&stderr(&output));
    assert_eq!(kept.len(), 1, "{}", stderr(&output));
    let artifact = std::fs::read_to_string(kept[0].0.join("build/out.txt")).unwrap();
    assert_eq!(artifact, "artifact\n");
}
