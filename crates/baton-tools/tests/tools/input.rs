//! Malformed calls: wrong field types, missing fields, unknown tools. Each is an error result
//! that names the problem.

use serde_json::json;

use crate::Fixture;

#[tokio::test]
async fn wrong_types_name_the_field_and_the_expected_type() {
    let f = Fixture::new();
    let cases = [
        (
            "Read",
            json!({"file_path": 42}),
            "`file_path` must be a string",
        ),
        (
            "Read",
            json!({"file_path": "a", "limit": "many"}),
            "`limit` must be a non-negative integer",
        ),
        (
            "Write",
            json!({"file_path": "a", "content": ["x"]}),
            "`content` must be a string",
        ),
        (
            "Edit",
            json!({"file_path": "a", "old_string": "x", "new_string": "y", "replace_all": "yes"}),
            "`replace_all` must be a boolean",
        ),
        (
            "Bash",
            json!({"command": "true", "timeout": "soon"}),
            "`timeout` must be a non-negative integer",
        ),
        (
            "Glob",
            json!({"pattern": {"x": 1}}),
            "`pattern` must be a string",
        ),
        (
            "Grep",
            json!({"pattern": "x", "-i": 1}),
            "`-i` must be a boolean",
        ),
        (
            "Grep",
            json!({"pattern": "x", "-C": -2}),
            "`-C` must be a non-negative integer",
        ),
    ];
    for (tool, input, expected) in cases {
        let err = f.err(tool, input).await;
        assert!(err.contains(expected), "{tool}: {err}");
    }
}

#[tokio::test]
async fn missing_fields_and_non_objects_are_errors() {
    let f = Fixture::new();
    let missing = f.err("Write", json!({"file_path": "a"})).await;
    assert!(
        missing.contains("`content`") && missing.contains("missing"),
        "{missing}"
    );
    let not_object = f.err("Bash", json!("ls")).await;
    assert!(not_object.contains("JSON object"), "{not_object}");
    let null = f.err("Read", json!(null)).await;
    assert!(null.contains("JSON object"), "{null}");
}

#[tokio::test]
async fn unknown_tools_list_the_known_ones() {
    let f = Fixture::new();
    let err = f.err("Delete", json!({})).await;
    assert!(
        err.contains("Unknown tool 'Delete'") && err.contains("Grep"),
        "{err}"
    );
}
