//! Tests of the static check: one or more per rule, each pinning the kind of the message and
//! its exact line and column.

use super::*;
use crate::diagnostic::Severity::{Error, Warning};

const HEAD: &str = "export const meta = { name: 'n', description: 'd'";

fn refused(source: &str) -> Vec<Diagnostic> {
    match analyze(source) {
        Ok(a) => panic!("expected the script to be refused, got {a:?}"),
        Err(d) => d,
    }
}

fn errors(source: &str) -> Vec<Diagnostic> {
    refused(source)
        .into_iter()
        .filter(|d| d.severity == Error)
        .collect()
}

/// Asserts that exactly one diagnostic mentions `needle`, and that it has this severity and
/// position.
fn assert_one(diags: &[Diagnostic], needle: &str, severity: Severity, line: u32, column: u32) {
    let hits: Vec<_> = diags
        .iter()
        .filter(|d| d.message.contains(needle))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "one diagnostic with {needle:?} in {diags:#?}"
    );
    let d = hits[0];
    assert_eq!(
        (d.severity, d.line, d.column),
        (severity, line, column),
        "{d:?}"
    );
}

#[test]
fn a_valid_meta_is_read_with_its_json_in_source_order() {
    let src = "// header comment\n\n\
        export const meta = {\n\
          name: 'review',\n\
          \"description\": `Reviews a diff`,\n\
          whenToUse: \"on PRs\",\n\
          phases: [{ title: 'Scan', detail: 'd', model: 'haiku' }, { title: 'Fix' }],\n\
          retries: 3, ratio: 1.5, floor: -2, whole: 1.0, 10: (true), none: null,\n\
        };\n\
        return 1;\n";
    let a = analyze(src).expect("valid");
    assert_eq!(a.meta.name, "review");
    assert_eq!(a.meta.description, "Reviews a diff");
    assert_eq!(a.meta.when_to_use.as_deref(), Some("on PRs"));
    let scan = PhaseMeta {
        title: "Scan".into(),
        detail: Some("d".into()),
        model: Some("haiku".into()),
    };
    let fix = PhaseMeta {
        title: "Fix".into(),
        detail: None,
        model: None,
    };
    assert_eq!(a.meta.phases, vec![scan, fix]);
    let keys: Vec<&str> = a
        .meta
        .json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let order = [
        "name",
        "description",
        "whenToUse",
        "phases",
        "retries",
        "ratio",
        "floor",
    ];
    assert_eq!(&keys[..7], order);
    assert_eq!(&keys[7..], ["whole", "10", "none"]);
    let json = &a.meta.json;
    assert!(json["retries"].is_i64() && json["floor"] == -2 && json["whole"].is_i64());
    assert_eq!(json["ratio"].as_f64(), Some(1.5));
    assert_eq!(json["10"], true);
    assert_eq!(&src[a.meta_statement.clone()][..19], "export const meta =");
    assert!(src[a.meta_statement.clone()].ends_with("};"));
    assert_eq!(a.meta_statement.start, src.find("export").unwrap());
}

#[test]
fn meta_statement_without_semicolon_ends_at_the_brace() {
    let src =
        "#!/usr/bin/env baton\nexport const meta = { name: 'n', description: '' }\nreturn 1\n";
    let a = analyze(src).expect("valid, hashbang allowed");
    assert!(src[a.meta_statement].ends_with("'' }"));
    assert!(a.warnings.is_empty());
}

#[test]
fn a_repeated_key_keeps_its_first_place_and_last_value() {
    let a = analyze(&format!("{HEAD}, name: 'm' }};")).expect("valid");
    assert_eq!(a.meta.name, "m");
    assert_eq!(
        a.meta.json.as_object().unwrap().keys().next().unwrap(),
        "name"
    );
}

#[test]
fn syntax_errors_are_reported_at_their_label() {
    let src =
        "export const meta = { name: 'n', description: 'd' };\nconst x = foo(\n  bar: baz()\n";
    let d = refused(src);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_one(&d, "Expected `,` or `)`", Error, 3, 6);
}

#[test]
fn a_script_must_start_with_meta() {
    let d = errors("// comment\nlet a = 1;\n");
    assert_eq!(d.len(), 1);
    assert_one(
        &d,
        "the first statement of a workflow script must be",
        Error,
        2,
        1,
    );
    // Nothing but comments: reported at the start of the file.
    assert_one(
        &errors("// only\n"),
        "must be `export const meta",
        Error,
        1,
        1,
    );
}

#[test]
fn a_misplaced_meta_is_named_and_still_checked() {
    let d = errors("const a = 1;\n\nexport const meta = { name: 'x', description: f() };\n");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_one(
        &d,
        "must be `export const meta = { ... }` (it is on line 3)",
        Error,
        1,
        1,
    );
    assert_one(&d, "a function call", Error, 3, 47);
}

#[test]
fn a_directive_before_meta_is_a_first_statement() {
    let d = errors("'use strict';\nexport const meta = { name: 'x', description: 'd' };\n");
    assert_one(&d, "(it is on line 2)", Error, 1, 1);
}

#[test]
fn meta_must_be_one_const_declarator() {
    let d = errors("export let meta = { name: 'x', description: 'd' }, other = 2;\n");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_one(&d, "must be declared with `const`, not `let`", Error, 1, 8);
    assert_one(&d, "must declare `meta` and nothing else", Error, 1, 52);
}

#[test]
fn meta_must_be_an_object() {
    let d = errors("export const meta = ['a'];\n");
    assert_one(
        &d,
        "`meta` must be an object literal, not an array",
        Error,
        1,
        21,
    );
}

/// Each refused value alone in an otherwise valid meta: exactly one error, at the value.
#[test]
fn every_kind_of_non_literal_value_is_refused_at_its_position() {
    let cases = [
        ("foo", "the identifier `foo`"),
        ("undefined", "the identifier `undefined` (use `null`"),
        ("f(1)", "a function call"),
        ("new Date()", "a `new` expression"),
        ("`a${b}c`", "a template literal with `${}`"),
        ("function () {}", "a function"),
        ("() => 1", "an arrow function"),
        ("a.b", "a member expression"),
        ("a['b']", "a member expression"),
        ("/x+/g", "a regular expression literal"),
        ("1 + 2", "a binary expression (`+`)"),
        ("a || 'b'", "a logical expression (`||`)"),
        ("!0", "a unary `!` expression"),
        ("-x", "a unary `-` expression"),
        ("10n", "a BigInt literal"),
        ("x ? 1 : 2", "a conditional expression"),
        ("tag`s`", "a tagged template"),
        ("class {}", "a class"),
        ("this", "`this`"),
        ("1e999", "a number too large for JSON (`1e999`)"),
    ];
    for (value, kind) in cases {
        let src = format!("{HEAD},\n  extra: {value},\n}};\n");
        let d = errors(&src);
        assert_eq!(d.len(), 1, "{value}: {d:?}");
        assert_one(&d, kind, Error, 2, 10);
    }
}

#[test]
fn spreads_and_holes_in_arrays_are_refused() {
    let d = errors(&format!("{HEAD}, list: [1, ...more, , 'x'] }};"));
    assert_eq!(d.len(), 2, "{d:?}");
    assert_one(&d, "a spread (`...`)", Error, 1, 62);
    assert_one(&d, "an array hole", Error, 1, 71);
}

/// Each refused property shape: exactly one error, at the property.
#[test]
fn every_kind_of_non_literal_property_is_refused_at_its_position() {
    let cases = [
        ("name", "a shorthand property (`{ name }`)"),
        ("...base", "a spread (`...`)"),
        ("['k' + 1]: 1", "a computed key (`[...]`)"),
        ("['k']: 1", "a computed key"),
        ("run() {}", "a method"),
        ("async run() {}", "a method"),
        ("get g() { return 1 }", "a getter"),
        ("set s(v) {}", "a setter"),
    ];
    for (property, kind) in cases {
        let src = format!("{HEAD},\n    {property}\n}};\n");
        let d = errors(&src);
        assert_eq!(d.len(), 1, "{property}: {d:?}");
        assert_one(&d, kind, Error, 2, 5);
    }
}

#[test]
fn all_refusals_are_reported_not_just_the_first() {
    let src = "export const meta = {\n  name: n(),\n  description: d,\n  phases: [...p],\n};\n";
    let d = errors(src);
    assert_eq!(d.len(), 3, "{d:?}");
    assert_one(&d, "a function call", Error, 2, 9);
    assert_one(&d, "the identifier `d`", Error, 3, 16);
    assert_one(&d, "a spread", Error, 4, 12);
}

#[test]
fn keys_may_be_names_strings_or_numbers() {
    let a = analyze(&format!("{HEAD}, 'a b': 1, 0x10: 2, 1.50: 3, 1e21: 4 }};")).expect("valid");
    let keys: Vec<&str> = a
        .meta
        .json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["name", "description", "a b", "16", "1.5", "1e+21"]);
}

#[test]
fn required_keys_missing_are_reported_at_the_object() {
    let d = errors("export const meta =\n  { whenToUse: 'w' };\n");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_one(&d, "`meta` is missing the required key `name`", Error, 2, 3);
    assert_one(
        &d,
        "`meta` is missing the required key `description`",
        Error,
        2,
        3,
    );
}

#[test]
fn a_refused_property_hides_missing_key_errors() {
    // The computed key might well be `name`: only the refusal is reported.
    let d = errors("export const meta = { ['name']: 'x', description: 'd' };");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_one(&d, "a computed key", Error, 1, 23);
}

#[test]
fn wrong_types_are_reported_at_the_value() {
    let src = "export const meta = {\n  name: 1,\n  description: null,\n  whenToUse: ['x'],\n  phases: {},\n};\n";
    let d = errors(src);
    assert_eq!(d.len(), 4, "{d:?}");
    assert_one(
        &d,
        "`meta.name` must be a string, not a number",
        Error,
        2,
        9,
    );
    assert_one(
        &d,
        "`meta.description` must be a string, not null",
        Error,
        3,
        16,
    );
    assert_one(
        &d,
        "`meta.whenToUse` must be a string, not an array",
        Error,
        4,
        14,
    );
    assert_one(&d, "`meta.phases` must be an array", Error, 5, 11);
}

#[test]
fn an_empty_name_is_refused_at_the_value() {
    let d = errors("export const meta = { name: '', description: '' };");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_one(&d, "`meta.name` must not be empty", Error, 1, 29);
}

#[test]
fn optional_keys_may_be_null() {
    let a = analyze(&format!("{HEAD}, whenToUse: null, phases: null }};")).expect("valid");
    assert_eq!(a.meta.when_to_use, None);
    assert!(a.meta.phases.is_empty());
}

#[test]
fn phases_are_checked_one_by_one() {
    let src = "export const meta = { name: 'n', description: 'd', phases: [\n  { title: 'a', detail: 2 },\n  'b',\n  { model: 'm' },\n  { title: 7, model: false },\n] };\n";
    let d = errors(src);
    assert_eq!(d.len(), 5, "{d:?}");
    assert_one(
        &d,
        "`meta.phases[0].detail` must be a string, not a number",
        Error,
        2,
        25,
    );
    assert_one(&d, "`meta.phases[1]` must be an object", Error, 3, 3);
    assert_one(
        &d,
        "`meta.phases[2]` is missing the required key `title`",
        Error,
        4,
        3,
    );
    assert_one(&d, "`meta.phases[3].title` must be a string", Error, 5, 12);
    assert_one(
        &d,
        "`meta.phases[3].model` must be a string, not a boolean",
        Error,
        5,
        22,
    );
}

#[test]
fn unknown_keys_are_kept_and_warned_about_at_the_key() {
    let a = analyze(&format!("{HEAD},\n  icon: 'x',\n  'tags': ['a'] }};")).expect("valid");
    assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
    assert_one(&a.warnings, "unknown key `icon` in `meta`", Warning, 2, 3);
    assert_one(&a.warnings, "unknown key `tags` in `meta`", Warning, 3, 3);
    assert_eq!(a.meta.json["tags"][0], "a");
}

#[test]
fn a_refused_script_also_lists_its_warnings_in_order() {
    let d = refused(&format!("{HEAD}, icon: 'x' }};\nexport const x = 1;\n"));
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!((d[0].severity, d[1].severity), (Warning, Error));
}

#[test]
fn import_declarations_are_refused() {
    let d = errors(&format!(
        "{HEAD} }};\nimport fs from 'fs';\n  import 'x';\n"
    ));
    assert_eq!(d.len(), 2, "{d:?}");
    let positions: Vec<_> = d.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(positions, [(2, 1), (3, 3)]);
    let expected = "`import` declaration: imports are not available in workflow scripts \
                    (`require` is not defined either)";
    assert!(d.iter().all(|d| d.message == expected), "{d:?}");
}

#[test]
fn dynamic_imports_are_refused_at_any_depth() {
    let src = format!(
        "{HEAD} }};\nconst m = await import('m');\nfunction f() {{\n  return () => {{ class C {{ m() {{ return import('deep') }} }} }};\n}}\n"
    );
    let d = errors(&src);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!((d[0].line, d[0].column), (2, 17));
    assert_eq!((d[1].line, d[1].column), (4, 41));
    assert!(d
        .iter()
        .all(|d| d.message.contains("`import()`: imports are not available")));
}

#[test]
fn import_meta_is_refused() {
    let d = errors(&format!("{HEAD} }};\nlog(() => import.meta.url);\n"));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_one(&d, "`import.meta`: imports are not available", Error, 2, 11);
}

#[test]
fn an_import_inside_meta_is_reported_once() {
    let d = errors(&format!("{HEAD}, x: import('y') }};"));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_one(&d, "`import()`", Error, 1, 55);
}

#[test]
fn only_meta_may_be_exported() {
    let src = format!(
        "{HEAD} }};\nexport const x = 1;\nexport default 3;\nconst a = 1;\nexport {{ a }};\n  export * from 'm';\n"
    );
    let d = errors(&src);
    assert_eq!(d.len(), 4, "{d:?}");
    let positions: Vec<_> = d.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(positions, [(2, 1), (3, 1), (5, 1), (6, 3)]);
    assert!(d
        .iter()
        .all(|d| d.message == "only `meta` may be exported from a workflow script"));
}

#[test]
fn top_level_await_return_and_throw_parse() {
    let src = format!(
        "{HEAD} }};\nconst r = await agent('x');\nif (!r) throw new Error('no');\nreturn r;\n"
    );
    assert!(analyze(&src).is_ok());
}
