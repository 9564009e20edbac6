//! Grep: output modes, flags, filters, context, ignore rules in and outside git.

use serde_json::json;

use crate::Fixture;

fn project() -> Fixture {
    let f = Fixture::new();
    f.write(".gitignore", "target/\n")
        .write("src/main.rs", "fn main() {\n    helper();\n}\n")
        .write(
            "src/lib.rs",
            "pub fn helper() {}\n// TODO: more\nfn Main() {}\n",
        )
        .write("web/app.ts", "function main() {}\n")
        .write("target/gen.rs", "fn main() {}\n")
        .write("notes.md", "main ideas\n");
    std::fs::write(f.path("src/blob.bin"), b"fn main\0binary").unwrap();
    f.age("src/lib.rs", 100);
    f.age("src/main.rs", 50);
    f.age("web/app.ts", 200);
    f.age("notes.md", 300);
    f
}

#[tokio::test]
async fn lists_matching_files_newest_first_by_default_skipping_ignored_and_binary() {
    let f = project();
    let out = f.ok("Grep", json!({"pattern": "fn \\w+\\(\\)"})).await;
    assert_eq!(out, "Found 2 files\nsrc/main.rs\nsrc/lib.rs");
}

#[tokio::test]
async fn respects_gitignore_inside_a_git_repository() {
    let f = project();
    f.git_init();
    let out = f.ok("Grep", json!({"pattern": "main"})).await;
    assert_eq!(out, "Found 3 files\nsrc/main.rs\nweb/app.ts\nnotes.md");
}

#[tokio::test]
async fn content_mode_shows_numbered_lines() {
    let f = project();
    let out = f
        .ok(
            "Grep",
            json!({"pattern": "main", "output_mode": "content", "path": "src"}),
        )
        .await;
    assert_eq!(out, "src/main.rs:1:fn main() {");
    let plain = f
        .ok(
            "Grep",
            json!({"pattern": "main", "output_mode": "content", "path": "src", "-n": false}),
        )
        .await;
    assert_eq!(plain, "src/main.rs:fn main() {");
}

#[tokio::test]
async fn case_insensitive_search() {
    let f = project();
    let out = f
        .ok(
            "Grep",
            json!({"pattern": "fn main", "-i": true, "output_mode": "content", "path": "src"}),
        )
        .await;
    assert_eq!(out, "src/lib.rs:3:fn Main() {}\nsrc/main.rs:1:fn main() {");
}

#[tokio::test]
async fn glob_and_type_filter_files() {
    let f = project();
    let rs = f
        .ok("Grep", json!({"pattern": "main", "glob": "*.rs"}))
        .await;
    assert_eq!(rs, "Found 1 file\nsrc/main.rs");
    let ts = f
        .ok("Grep", json!({"pattern": "main", "glob": "**/*.{ts,tsx}"}))
        .await;
    assert_eq!(ts, "Found 1 file\nweb/app.ts");
    let not_rs = f
        .ok("Grep", json!({"pattern": "main", "glob": "!*.rs"}))
        .await;
    assert_eq!(not_rs, "Found 2 files\nweb/app.ts\nnotes.md");
    let typed = f.ok("Grep", json!({"pattern": "main", "type": "ts"})).await;
    assert_eq!(typed, "Found 1 file\nweb/app.ts");
    let alias = f.ok("Grep", json!({"pattern": "main", "type": "rs"})).await;
    assert_eq!(alias, "Found 1 file\nsrc/main.rs");
    let bad = f
        .err("Grep", json!({"pattern": "main", "type": "klingon"}))
        .await;
    assert!(bad.contains("klingon"), "{bad}");
}

#[tokio::test]
async fn count_mode_counts_matching_lines_per_file() {
    let f = project();
    let out = f
        .ok(
            "Grep",
            json!({"pattern": "fn|TODO", "output_mode": "count"}),
        )
        .await;
    assert_eq!(out, "src/lib.rs:3\nsrc/main.rs:1");
}

#[tokio::test]
async fn context_lines_and_group_separators() {
    let f = Fixture::new();
    let text: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    f.write("t.txt", &text);
    let out = f
        .ok(
            "Grep",
            json!({"pattern": "^line (5|7|15)$", "output_mode": "content", "-C": 1}),
        )
        .await;
    let expected =
        "t.txt-4-line 4\nt.txt:5:line 5\nt.txt-6-line 6\nt.txt:7:line 7\nt.txt-8-line 8\n--\n\
                    t.txt-14-line 14\nt.txt:15:line 15\nt.txt-16-line 16";
    assert_eq!(out, expected);
    let after = f
        .ok(
            "Grep",
            json!({"pattern": "line 20", "output_mode": "content", "-A": 3, "-B": 1}),
        )
        .await;
    assert_eq!(after, "t.txt-19-line 19\nt.txt:20:line 20");
}

#[tokio::test]
async fn head_limit_caps_lines_and_entries() {
    let f = Fixture::new();
    let text: String = (1..=50).map(|i| format!("hit {i}\n")).collect();
    f.write("hits.txt", &text);
    f.write("more.txt", "hit\n");
    let out = f
        .ok(
            "Grep",
            json!({"pattern": "hit", "output_mode": "content", "head_limit": 3}),
        )
        .await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..3],
        ["hits.txt:1:hit 1", "hits.txt:2:hit 2", "hits.txt:3:hit 3"]
    );
    assert!(lines[3].contains("head_limit"), "{out}");
    let files = f
        .ok("Grep", json!({"pattern": "hit", "head_limit": 1}))
        .await;
    assert_eq!(files.lines().count(), 3, "{files}");
    assert!(files.starts_with("Found 2 files\n"), "{files}");
}

#[tokio::test]
async fn searches_a_single_file_path() {
    let f = project();
    let out = f
        .ok(
            "Grep",
            json!({"pattern": "TODO", "path": "src/lib.rs", "output_mode": "content"}),
        )
        .await;
    assert_eq!(out, "src/lib.rs:2:// TODO: more");
}

#[tokio::test]
async fn no_match_invalid_regex_and_bad_mode() {
    let f = project();
    assert_eq!(
        f.ok("Grep", json!({"pattern": "zebra"})).await,
        "No matches found"
    );
    let count = f
        .ok("Grep", json!({"pattern": "zebra", "output_mode": "count"}))
        .await;
    assert_eq!(count, "No matches found");
    let err = f.err("Grep", json!({"pattern": "fn (main"})).await;
    assert!(
        err.contains("Invalid regex") && err.contains("unclosed"),
        "{err}"
    );
    let mode = f
        .err("Grep", json!({"pattern": "x", "output_mode": "lines"}))
        .await;
    assert!(mode.contains("output_mode"), "{mode}");
    let missing = f
        .err("Grep", json!({"pattern": "x", "path": "nowhere"}))
        .await;
    assert!(missing.contains("does not exist"), "{missing}");
}
