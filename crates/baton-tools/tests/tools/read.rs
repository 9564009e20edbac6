//! Read: line numbers, windows of lines, and the files it refuses.

use serde_json::json;

use crate::Fixture;

#[tokio::test]
async fn shows_lines_numbered_like_cat_n() {
    let f = Fixture::new();
    f.write("a.txt", "alpha\nbeta\r\ngamma");
    let out = f.ok("Read", json!({"file_path": "a.txt"})).await;
    assert_eq!(out, "     1\talpha\n     2\tbeta\n     3\tgamma\n");
}

#[tokio::test]
async fn offset_and_limit_select_a_window_and_say_how_to_go_on() {
    let f = Fixture::new();
    let text: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    f.write("ten.txt", &text);
    let out = f
        .ok(
            "Read",
            json!({"file_path": "ten.txt", "offset": 3, "limit": 2}),
        )
        .await;
    assert!(out.starts_with("     3\tline 3\n     4\tline 4\n"), "{out}");
    assert!(!out.contains("line 5"));
    assert!(out.contains("lines 3-4 of 10"), "{out}");
    assert!(out.contains("offset=5"), "{out}");

    let past = f
        .ok("Read", json!({"file_path": "ten.txt", "offset": 50}))
        .await;
    assert!(past.contains("has 10 lines"), "{past}");
}

#[tokio::test]
async fn absolute_paths_work_too() {
    let f = Fixture::new();
    f.write("x.txt", "x\n");
    let abs = f.path("x.txt").to_string_lossy().into_owned();
    assert_eq!(f.ok("Read", json!({"file_path": abs})).await, "     1\tx\n");
}

#[tokio::test]
async fn reads_at_most_2000_lines_by_default() {
    let mut f = Fixture::new();
    f.ctx.output_cap = 1_000_000;
    let text: String = (1..=2500).map(|i| format!("{i}\n")).collect();
    f.write("long.txt", &text);
    let out = f.ok("Read", json!({"file_path": "long.txt"})).await;
    assert!(out.contains("  2000\t2000\n"));
    assert!(!out.contains("\t2001\n"));
    assert!(out.contains("of 2500"), "{}", &out[out.len() - 200..]);
}

#[tokio::test]
async fn output_stops_at_the_size_cap_on_a_line_boundary() {
    let mut f = Fixture::new();
    f.ctx.output_cap = 1000;
    let text: String = (1..=500).map(|i| format!("line number {i}\n")).collect();
    f.write("big.txt", &text);
    let out = f.ok("Read", json!({"file_path": "big.txt"})).await;
    assert!(out.len() <= 1000, "{}", out.len());
    let (lines, note) = out.split_once("\n\n").unwrap();
    let last: u64 = lines
        .lines()
        .last()
        .unwrap()
        .trim()
        .split('\t')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(note.contains(&format!("offset={}", last + 1)), "{note}");
}

#[tokio::test]
async fn long_lines_are_cut() {
    let f = Fixture::new();
    f.write("wide.txt", &"x".repeat(5000));
    let out = f.ok("Read", json!({"file_path": "wide.txt"})).await;
    assert!(out.len() < 2100, "{}", out.len());
    assert!(out.contains("[line cut]"));
}

#[tokio::test]
async fn empty_files_get_a_note() {
    let f = Fixture::new();
    f.write("empty.txt", "");
    let out = f.ok("Read", json!({"file_path": "empty.txt"})).await;
    assert!(out.contains("empty"), "{out}");
}

#[tokio::test]
async fn directories_missing_and_binary_files_are_errors() {
    let f = Fixture::new();
    f.write("dir/inner.txt", "x");
    let dir = f.err("Read", json!({"file_path": "dir"})).await;
    assert!(dir.contains("directory") && dir.contains("Glob"), "{dir}");

    let missing = f.err("Read", json!({"file_path": "nope.txt"})).await;
    assert!(missing.contains("does not exist"), "{missing}");

    std::fs::write(f.path("blob.bin"), b"abc\0def").unwrap();
    let binary = f.err("Read", json!({"file_path": "blob.bin"})).await;
    assert!(binary.contains("binary"), "{binary}");
}
