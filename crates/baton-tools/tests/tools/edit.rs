//! Edit: unique replacements, ambiguity, replace_all, and the ways an edit can miss.

use serde_json::json;

use crate::Fixture;

const CODE: &str = "fn a() {\n    let x = 1;\n}\n\nfn b() {\n    let x = 1;\n}\n";

#[tokio::test]
async fn replaces_a_unique_string() {
    let f = Fixture::new();
    f.write("lib.rs", CODE);
    let out = f
        .ok(
            "Edit",
            json!({"file_path": "lib.rs", "old_string": "fn b() {\n    let x = 1;", "new_string": "fn b() {\n    let x = 2;"}),
        )
        .await;
    assert!(
        out.contains("replaced 1 occurrence") && out.contains("line 5"),
        "{out}"
    );
    let expected = "fn a() {\n    let x = 1;\n}\n\nfn b() {\n    let x = 2;\n}\n";
    assert_eq!(f.read("lib.rs"), expected);
}

#[tokio::test]
async fn an_ambiguous_string_is_refused_with_its_count() {
    let f = Fixture::new();
    f.write("lib.rs", CODE);
    let err = f
        .err(
            "Edit",
            json!({"file_path": "lib.rs", "old_string": "let x = 1;", "new_string": "let y = 1;"}),
        )
        .await;
    assert!(
        err.contains("2 times") && err.contains("replace_all"),
        "{err}"
    );
    assert_eq!(f.read("lib.rs"), CODE, "the file must be unchanged");
}

#[tokio::test]
async fn replace_all_changes_every_occurrence() {
    let f = Fixture::new();
    f.write("lib.rs", CODE);
    let out = f
        .ok(
            "Edit",
            json!({"file_path": "lib.rs", "old_string": "let x", "new_string": "let y", "replace_all": true}),
        )
        .await;
    assert!(out.contains("replaced 2 occurrences"), "{out}");
    assert_eq!(f.read("lib.rs"), CODE.replace("let x", "let y"));
}

#[tokio::test]
async fn missing_strings_identical_strings_and_missing_files_are_errors() {
    let f = Fixture::new();
    f.write("lib.rs", CODE);
    let not_found = f
        .err(
            "Edit",
            json!({"file_path": "lib.rs", "old_string": "let z", "new_string": "q"}),
        )
        .await;
    assert!(not_found.contains("not found"), "{not_found}");

    let same = f
        .err(
            "Edit",
            json!({"file_path": "lib.rs", "old_string": "fn a", "new_string": "fn a"}),
        )
        .await;
    assert!(same.contains("identical"), "{same}");

    let missing = f
        .err(
            "Edit",
            json!({"file_path": "nope.rs", "old_string": "a", "new_string": "b"}),
        )
        .await;
    assert!(missing.contains("does not exist"), "{missing}");
    assert_eq!(f.read("lib.rs"), CODE);
}

#[tokio::test]
async fn an_empty_old_string_creates_a_missing_file_only() {
    let f = Fixture::new();
    let out = f
        .ok(
            "Edit",
            json!({"file_path": "new/file.txt", "old_string": "", "new_string": "hi\n"}),
        )
        .await;
    assert!(out.contains("Created"), "{out}");
    assert_eq!(f.read("new/file.txt"), "hi\n");
    let err = f
        .err(
            "Edit",
            json!({"file_path": "new/file.txt", "old_string": "", "new_string": "x"}),
        )
        .await;
    assert!(err.contains("empty"), "{err}");
}

#[tokio::test]
async fn multi_line_edits_match_crlf_files() {
    let f = Fixture::new();
    f.write("win.txt", "one\r\ntwo\r\nthree\r\n");
    f.ok(
        "Edit",
        json!({"file_path": "win.txt", "old_string": "one\ntwo", "new_string": "1\n2"}),
    )
    .await;
    assert_eq!(f.read("win.txt"), "1\r\n2\r\nthree\r\n");
}
