//! Glob: pattern semantics, ignore rules in and outside git, order and the result cap.

use serde_json::json;

use crate::Fixture;

/// A small project: sources, an ignored build directory, a hidden directory.
fn project() -> Fixture {
    let f = Fixture::new();
    f.write(".gitignore", "target/\n*.log\n")
        .write("src/a.rs", "")
        .write("src/b.rs", "")
        .write("src/nested/c.rs", "")
        .write("target/debug/gen.rs", "")
        .write("debug.log", "")
        .write(".hidden/x.rs", "")
        .write("README.md", "");
    f.age("src/a.rs", 300);
    f.age("src/b.rs", 100);
    f.age("src/nested/c.rs", 200);
    f
}

#[tokio::test]
async fn lists_matches_newest_first_respecting_gitignore_outside_git() {
    let f = project();
    let out = f.ok("Glob", json!({"pattern": "**/*.rs"})).await;
    assert_eq!(out, "src/b.rs\nsrc/nested/c.rs\nsrc/a.rs");
    let logs = f.ok("Glob", json!({"pattern": "*.log"})).await;
    assert_eq!(logs, "No files found");
}

#[tokio::test]
async fn respects_gitignore_inside_a_git_repository() {
    let f = project();
    f.git_init();
    let out = f.ok("Glob", json!({"pattern": "**/*.rs"})).await;
    assert_eq!(out, "src/b.rs\nsrc/nested/c.rs\nsrc/a.rs");
    let all = f.ok("Glob", json!({"pattern": "**/*"})).await;
    assert!(!all.contains(".git/"), "{all}");
}

#[tokio::test]
async fn a_single_star_stays_in_its_directory() {
    let f = project();
    let out = f.ok("Glob", json!({"pattern": "src/*.rs"})).await;
    assert_eq!(out, "src/b.rs\nsrc/a.rs");
    let top = f.ok("Glob", json!({"pattern": "*.md"})).await;
    assert_eq!(top, "README.md");
}

#[tokio::test]
async fn path_sets_the_root_and_results_stay_relative_to_the_cwd() {
    let f = project();
    let out = f
        .ok("Glob", json!({"pattern": "*.rs", "path": "src/nested"}))
        .await;
    assert_eq!(out, "src/nested/c.rs");
    let abs = format!("{}/src/**/c.rs", f.dir.path().display());
    assert_eq!(
        f.ok("Glob", json!({"pattern": abs})).await,
        "src/nested/c.rs"
    );
}

#[tokio::test]
async fn hidden_directories_are_searched_only_when_named() {
    let f = project();
    assert_eq!(
        f.ok("Glob", json!({"pattern": ".hidden/*.rs"})).await,
        ".hidden/x.rs"
    );
    assert_eq!(
        f.ok("Glob", json!({"pattern": "**/.hidden/*.rs"})).await,
        ".hidden/x.rs"
    );
}

#[tokio::test]
async fn explicitly_named_ignored_directories_are_searched() {
    let f = project();
    let out = f.ok("Glob", json!({"pattern": "target/**/*.rs"})).await;
    assert_eq!(out, "target/debug/gen.rs");
}

#[tokio::test]
async fn no_match_is_not_an_error_and_bad_patterns_are() {
    let f = project();
    assert_eq!(
        f.ok("Glob", json!({"pattern": "**/*.py"})).await,
        "No files found"
    );
    let missing = f
        .ok("Glob", json!({"pattern": "*.rs", "path": "nowhere"}))
        .await;
    assert!(missing.starts_with("No files found"), "{missing}");
    let err = f.err("Glob", json!({"pattern": "src/[a.rs"})).await;
    assert!(err.contains("Invalid glob"), "{err}");
}

#[tokio::test]
async fn results_are_capped_at_100() {
    let f = Fixture::new();
    for i in 0..150 {
        f.write(&format!("many/f{i:03}.txt"), "");
    }
    let out = f.ok("Glob", json!({"pattern": "many/*.txt"})).await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 101, "{out}");
    assert!(
        lines[100].contains("100 most recently modified of 150"),
        "{}",
        lines[100]
    );
}
