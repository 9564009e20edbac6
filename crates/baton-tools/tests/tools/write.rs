//! Write: new files, parent directories, overwrites.

use serde_json::json;

use crate::Fixture;

#[tokio::test]
async fn writes_then_reads_back() {
    let f = Fixture::new();
    let out = f
        .ok(
            "Write",
            json!({"file_path": "deep/er/new.txt", "content": "one\ntwo\n"}),
        )
        .await;
    assert!(out.contains("Created deep/er/new.txt"), "{out}");
    assert!(out.contains("8 bytes") && out.contains("2 lines"), "{out}");
    assert_eq!(f.read("deep/er/new.txt"), "one\ntwo\n");
    let read = f.ok("Read", json!({"file_path": "deep/er/new.txt"})).await;
    assert_eq!(read, "     1\tone\n     2\ttwo\n");
}

#[tokio::test]
async fn overwrites_existing_files() {
    let f = Fixture::new();
    f.write("a.txt", "old content that is longer");
    let out = f
        .ok("Write", json!({"file_path": "a.txt", "content": "new"}))
        .await;
    assert!(out.starts_with("Overwrote a.txt"), "{out}");
    assert_eq!(f.read("a.txt"), "new");
}

#[tokio::test]
async fn refuses_to_write_over_a_directory() {
    let f = Fixture::new();
    f.write("d/x", "");
    let err = f
        .err("Write", json!({"file_path": "d", "content": "x"}))
        .await;
    assert!(err.contains("directory"), "{err}");
}
