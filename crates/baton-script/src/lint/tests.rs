//! The lints on small scripts: each finding at its position, and clean scripts stay clean.

use super::*;

const META: &str = "export const meta = { name: 'n', description: 'd' };\n";

fn lint_body(body: &str) -> Lint {
    lint(&format!("{META}{body}"))
}

fn messages(lint: &Lint) -> Vec<String> {
    lint.diagnostics
        .iter()
        .map(|d| format!("{}:{}:{} {}", d.severity, d.line, d.column, d.message))
        .collect()
}

#[test]
fn a_clean_script_has_nothing_to_say() {
    let body = "phase('a');\nconst xs = await parallel([1, 2].map(i => () => agent(`p${i}`, { label: 'x' })));\n\
                function helper(v) { return v ?? null; }\nif (typeof require === 'function') log('odd');\n\
                return { xs, n: Math.max(1, 2), args, b: budget.total, h: helper(JSON.stringify(xs)) };";
    let found = lint_body(body);
    assert_eq!(messages(&found), Vec::<String>::new());
}

#[test]
fn undefined_names_are_errors_with_a_suggestion() {
    let found = lint_body("const r = await agnet('hi');\nconst fs = require('fs');\nreturn r;");
    let all = messages(&found);
    assert!(found.has_errors());
    assert!(
        all[0].starts_with("error:2:17 `agnet` is not defined")
            && all[0].ends_with("(did you mean `agent`?)"),
        "{all:?}"
    );
    assert!(
        all[1].starts_with("error:3:12 `require` is not defined in a workflow script"),
        "{all:?}"
    );
}

#[test]
fn meta_is_not_visible_in_the_body() {
    let found = lint_body("return meta.name;");
    assert_eq!(
        messages(&found),
        ["error:2:8 `meta` is not visible in the body of a workflow script (it is read before the script runs)"]
    );
}

#[test]
fn unknown_options_are_warnings_with_a_suggestion() {
    let found = lint_body("return await agent('x', { lable: 'a', colour: 1, ...{} });");
    let all = messages(&found);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all[0].starts_with(
            "warning:2:27 unknown agent() option `lable` is ignored: did you mean `label`?"
        ),
        "{all:?}"
    );
    assert!(
        all[1].starts_with("warning:2:39 unknown agent() option `colour` is ignored: (options:"),
        "{all:?}"
    );
    assert!(!found.has_errors());
}

#[test]
fn literal_models_agent_types_and_schemas_are_collected() {
    let found = lint_body(
        "const m = 'x';\nreturn await agent('x', { model: 'haiku', agentType: `reviewer`, schema: { type: 'object' } })\n\
         + await agent('y', { model: m, schema: { type: m } });",
    );
    let models: Vec<_> = found
        .models
        .iter()
        .map(|m| (m.value.as_str(), m.line, m.column))
        .collect();
    assert_eq!(models, [("haiku", 3, 34)]);
    assert_eq!(found.agent_types[0].value, "reviewer");
    assert_eq!(
        found.schemas.len(),
        1,
        "a schema with a variable in it is not a literal"
    );
    assert_eq!(
        found.schemas[0].value,
        serde_json::json!({"type": "object"})
    );
}

#[test]
fn unawaited_promises_and_a_missing_return_are_warnings() {
    let found = lint_body("agent('fire and forget');\nconst lost = parallel([]);\nlog('done');\n");
    let all = messages(&found);
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(
        all[0].starts_with("warning:2:1 the promise of this `agent()` call is never awaited"),
        "{all:?}"
    );
    assert!(
        all[1].starts_with("warning:3:7 `lost` holds the promise of a `parallel()` call"),
        "{all:?}"
    );
    assert!(
        all[2].starts_with("warning:4:13 the script never returns"),
        "{all:?}"
    );
}

#[test]
fn a_local_function_named_agent_is_not_the_global() {
    let found =
        lint_body("function agent(x, o) { return x; }\nagent('x', { lable: 1 });\nreturn 1;");
    assert_eq!(messages(&found), Vec::<String>::new());
}

#[test]
fn returns_inside_functions_do_not_count_as_the_body_returning() {
    let found = lint_body("const f = () => { return 1; };\nlog(f());");
    assert!(messages(&found)[0].contains("never returns"));
}

#[test]
fn the_option_list_is_what_the_run_reads() {
    for key in AGENT_OPTIONS {
        let value = match key {
            "tools" => serde_json::json!(["Read"]),
            "timeoutMs" | "retries" | "maxTurns" => serde_json::json!(1),
            "effort" => serde_json::json!("low"),
            _ => serde_json::json!("x"),
        };
        let options = serde_json::json!({ key: value });
        let (_, unknown) = baton_model::AgentOptions::from_json(&options).unwrap();
        assert!(unknown.is_empty(), "{key} is not read by the run");
    }
}

#[test]
fn a_script_that_does_not_parse_gets_no_lints() {
    assert_eq!(lint_body("return (;"), Lint::default());
}

#[test]
fn literal_tool_lists_are_collected_with_their_labels() {
    let body =
        "const a = await agent('p', { tools: ['WebSearch', 'WebFetch'], label: 'searcher' });\n\
                const b = await agent('p', { label: `read:${a}`, tools: [\"WebFetch\"] });\n\
                const names = ['Read'];\n\
                const c = await agent('p', { tools: names });\n\
                const d = await agent('p', { tools: ['Read', names[0]] });\n\
                return [a, b, c, d];";
    let found: Vec<_> = lint_body(body)
        .tools
        .into_iter()
        .map(|f| (f.value.label, f.value.tools, f.line, f.column))
        .collect();
    assert_eq!(
        found,
        [
            (
                Some("searcher".to_string()),
                vec!["WebSearch".to_string(), "WebFetch".to_string()],
                2,
                37
            ),
            (
                Some("`read:${a}`".to_string()),
                vec!["WebFetch".to_string()],
                3,
                57
            ),
        ]
    );
}
