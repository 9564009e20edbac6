//! The CSV reader on the RFC's cases and on the files people actually have.

use super::*;
use serde_json::json;

fn fields(text: &str) -> Vec<(usize, Vec<String>)> {
    records(text)
        .unwrap()
        .into_iter()
        .map(|r| (r.line, r.fields))
        .collect()
}

fn owned(expected: Vec<(usize, Vec<&str>)>) -> Vec<(usize, Vec<String>)> {
    expected
        .into_iter()
        .map(|(line, fields)| (line, fields.into_iter().map(String::from).collect()))
        .collect()
}

#[test]
fn plain_records_with_and_without_a_final_line_break() {
    assert_eq!(
        fields("a,b\n1,2\n"),
        owned(vec![(1, vec!["a", "b"]), (2, vec!["1", "2"])])
    );
    assert_eq!(
        fields("a,b\n1,2"),
        owned(vec![(1, vec!["a", "b"]), (2, vec!["1", "2"])])
    );
    assert_eq!(fields("a,b,\n"), owned(vec![(1, vec!["a", "b", ""])]));
    assert_eq!(fields(""), owned(vec![]));
}

#[test]
fn quotes_doubled_quotes_commas_and_line_breaks_inside_quotes() {
    let text = "name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"multi\nline\",x\n\"\",\"\"\n";
    assert_eq!(
        fields(text),
        owned(vec![
            (1, vec!["name", "note"]),
            (2, vec!["Smith, J", "said \"hi\""]),
            (3, vec!["multi\nline", "x"]),
            (5, vec!["", ""]),
        ])
    );
}

#[test]
fn crlf_lone_cr_bom_and_empty_lines() {
    assert_eq!(
        fields("\u{feff}a,b\r\n1,\"x\r\ny\"\r\n\r\n2,3\r\n"),
        owned(vec![
            (1, vec!["a", "b"]),
            (2, vec!["1", "x\r\ny"]),
            (5, vec!["2", "3"])
        ])
    );
    assert_eq!(
        fields("a\r1\r"),
        owned(vec![(1, vec!["a"]), (2, vec!["1"])])
    );
    assert_eq!(fields("\n\na\n\n"), owned(vec![(3, vec!["a"])]));
}

#[test]
fn a_quote_inside_an_unquoted_field_is_kept() {
    assert_eq!(
        fields("size\n5\" screen\n"),
        owned(vec![(1, vec!["size"]), (2, vec!["5\" screen"])])
    );
}

#[test]
fn rows_are_objects_keyed_by_the_trimmed_header_with_string_values() {
    let parsed = rows("id, name ,n\n1,\"a, b\",007\n2,c,true\n").unwrap();
    assert_eq!(
        parsed,
        vec![
            json!({"id": "1", "name": "a, b", "n": "007"}),
            json!({"id": "2", "name": "c", "n": "true"}),
        ]
    );
    assert_eq!(
        parsed[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "name", "n"]
    );
    assert_eq!(rows("a,b\n").unwrap(), Vec::<Value>::new());
}

#[test]
fn a_row_with_the_wrong_number_of_fields_names_the_line_it_starts_on() {
    // Line 2's record spans lines 2–3; the bad record starts on line 4.
    let error = rows("a,b\n\"x\ny\",1\nonly-one\n3,4\n").unwrap_err();
    assert_eq!(error.line, 4);
    assert!(
        error
            .message
            .starts_with("1 field but the header (line 1) has 2"),
        "{error}"
    );
    assert_eq!(rows("a,b\n1,2,3\n").unwrap_err().line, 2);
}

#[test]
fn malformed_quotes_name_their_line() {
    let unclosed = rows("a,b\n1,2\n3,\"never\nclosed\n").unwrap_err();
    assert_eq!(unclosed.line, 3);
    assert!(unclosed.message.contains("never closed"), "{unclosed}");
    let trailing = rows("a,b\n1,2\n\"x\"y,2\n").unwrap_err();
    assert_eq!(trailing.line, 3);
    assert!(trailing.message.contains("twice"), "{trailing}");
}

#[test]
fn the_header_must_name_every_column_once() {
    assert_eq!(rows("").unwrap_err().line, 1);
    assert!(rows("\n\n").unwrap_err().message.contains("header"));
    let empty = rows("\na,,c\n1,2,3\n").unwrap_err();
    assert_eq!(empty.line, 2);
    assert!(empty.message.contains("column 2"), "{empty}");
    let twice = rows("a,b,a\n").unwrap_err();
    assert!(twice.message.contains("'a' twice"), "{twice}");
}
