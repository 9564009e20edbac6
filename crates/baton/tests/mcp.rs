//! `baton mcp` driven over stdio by a real MCP client (rmcp's): the handshake, tools and the
//! prompt, a background run awaited to its end, its result resource and the list-changed
//! notification, stopping a running run, rejected scripts, a large result, caps that never
//! widen, and bad input to every tool. Runs use the `sim` model; the ones that must still be
//! running when the test acts on them get a sim latency far above what the action takes.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, GetPromptRequestParams, NumberOrString,
    ProgressNotificationParam, ProgressToken, ReadResourceRequestParams, RequestMetaObject,
    ResourceContents,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{json, Map, Value};
use support::workspace::Workspace;

/// Counts `notifications/resources/list_changed` and progress notifications.
#[derive(Clone, Default)]
struct Listener {
    resource_list_changes: Arc<AtomicUsize>,
    progress: Arc<AtomicUsize>,
}

impl ClientHandler for Listener {
    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.resource_list_changes.fetch_add(1, Ordering::SeqCst);
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = params;
        self.progress.fetch_add(1, Ordering::SeqCst);
    }
}

type Client = RunningService<RoleClient, Listener>;

/// `baton mcp` in `ws`, on the sim model, agents taking `latency` each.
async fn connect(ws: &Workspace, latency: &str) -> (Client, Listener) {
    let mut command = ws.command(&["mcp"]);
    command
        .env("BATON_MODEL", "sim")
        .env("BATON_SIM_LATENCY", latency);
    let transport = TokioChildProcess::new(tokio::process::Command::from(command)).unwrap();
    let listener = Listener::default();
    let client = listener.clone().serve(transport).await.unwrap();
    (client, listener)
}

async fn call(client: &Client, tool: &'static str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: protocol error instead of a tool result: {e}"))
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The answer of a call that must succeed.
async fn ok(client: &Client, tool: &'static str, args: Value) -> Value {
    let result = call(client, tool, args).await;
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool} failed: {}",
        text(&result)
    );
    result
        .structured_content
        .clone()
        .expect("a structured answer")
}

/// The message of a call that must fail as a tool error.
async fn refused(client: &Client, tool: &'static str, args: Value) -> String {
    let result = call(client, tool, args).await;
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} should fail: {}",
        text(&result)
    );
    text(&result)
}

async fn read(client: &Client, uri: &str) -> String {
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap();
    match &read.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}

/// Awaits in 25 s steps (the tool's maximum) until the run is terminal.
async fn await_end(client: &Client, run_id: &str) -> Value {
    for _ in 0..20 {
        let answer = ok(
            client,
            "workflow_await",
            json!({"runId": run_id, "waitMs": 25000}),
        )
        .await;
        if answer["returnedBecause"] == "terminal" {
            return answer;
        }
    }
    panic!("run {run_id} did not end");
}

const THREE: &str = r#"export const meta = { name: "three", description: "three questions", phases: [{ title: "ask" }] };
phase("ask");
const answers = await parallel([1, 2, 3].map((n) => () => agent(`question ${n}`, { label: `q${n}` })));
return { answered: answers.filter((a) => a !== null).length, topic: args.topic };
"#;

const SLOW: &str = r#"export const meta = { name: "slow", description: "one agent after another" };
let done = 0;
for (let i = 0; i < 30; i++) { if ((await agent(`step ${i}`, { label: `step-${i}` })) !== null) done++; }
return { done };
"#;

const TOOLS: [&str; 9] = [
    "workflow_run",
    "workflow_await",
    "workflow_status",
    "workflow_stop",
    "workflow_pause",
    "workflow_unpause",
    "workflow_list",
    "workflow_check",
    "workflow_guide",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_its_tools_the_prompt_and_the_guide() {
    let ws = Workspace::new();
    let (client, _) = connect(&ws, "0ms").await;
    let info = client.peer_info().expect("the server introduced itself");
    assert_eq!(info.server_info.as_ref().unwrap().name, "baton");
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    let mut expected: Vec<String> = TOOLS.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);

    let prompts = client.list_all_prompts().await.unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].name, "author-workflow");
    let mut args = Map::new();
    args.insert("task".into(), json!("summarise every crate's README"));
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("author-workflow").with_arguments(args))
        .await
        .unwrap();
    let body = serde_json::to_string(&prompt.messages).unwrap();
    assert!(body.contains("summarise every crate's README"), "{body}");
    assert!(body.contains("workflow_run"), "{body}");
    assert!(
        body.contains(baton_guide::TOPICS[0].name),
        "the guide is in the prompt"
    );

    let guide = call(&client, "workflow_guide", json!({})).await;
    assert_eq!(text(&guide), baton_guide::index());
    let topic = baton_guide::TOPICS[0];
    let one = call(&client, "workflow_guide", json!({"topic": topic.name})).await;
    assert_eq!(text(&one), topic.text);
    let unknown = refused(&client, "workflow_guide", json!({"topic": "nope"})).await;
    assert!(unknown.contains("no guide topic `nope`"), "{unknown}");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_in_the_background_awaits_it_and_serves_the_result() {
    let ws = Workspace::new();
    let (client, listener) = connect(&ws, "3000ms").await;
    let started = ok(
        &client,
        "workflow_run",
        json!({"script": THREE, "args": {"topic": "caching"}}),
    )
    .await;
    let run_id = started["runId"].as_str().unwrap().to_string();
    assert!(run_id.starts_with("wf_"), "{started}");
    assert_eq!(started["status"], "running");
    assert_eq!(
        started["estimate"]["agents"],
        json!({"min": 3, "max": 3}),
        "{started}"
    );

    // Each agent takes 3 s: a look right away finds it still running.
    let early = ok(
        &client,
        "workflow_await",
        json!({"runId": run_id, "waitMs": 0}),
    )
    .await;
    assert_eq!(early["returnedBecause"], "timeout", "{early}");
    assert_eq!(early["status"], "running");
    assert!(early.get("result").is_none(), "{early}");
    let status = ok(&client, "workflow_status", json!({"runId": run_id})).await;
    assert_eq!(status["workflow"], "three");
    assert_eq!(status["phases"][0]["title"], "ask", "{status}");

    let done = await_end(&client, &run_id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"], json!({"answered": 3, "topic": "caching"}));
    assert_eq!(done["progress"]["done"], 3);
    assert_eq!(done["progress"]["failed"], 0);

    let uri = format!("baton://runs/{run_id}/result");
    let served: Value = serde_json::from_str(&read(&client, &uri).await).unwrap();
    assert_eq!(served, done["result"]);
    let listed = client.list_all_resources().await.unwrap();
    assert!(listed.iter().any(|r| r.uri == uri), "{listed:?}");
    // The watcher tells the client within a fraction of a second of the end.
    for _ in 0..100 {
        if listener.resource_list_changes.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        listener.resource_list_changes.load(Ordering::SeqCst) > 0,
        "no list_changed"
    );

    let list = ok(&client, "workflow_list", json!({})).await;
    assert_eq!(list["runs"][0]["runId"], run_id.as_str(), "{list}");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pauses_and_stops_a_running_workflow() {
    let ws = Workspace::new();
    let (client, _) = connect(&ws, "1000ms").await;
    let started = ok(&client, "workflow_run", json!({"script": SLOW})).await;
    let run_id = started["runId"].as_str().unwrap().to_string();
    let paused = ok(&client, "workflow_pause", json!({"runId": run_id})).await;
    assert_eq!(paused["status"], "paused", "{paused}");
    let unpaused = ok(&client, "workflow_unpause", json!({"runId": run_id})).await;
    assert_eq!(unpaused["status"], "running", "{unpaused}");
    let stopped = ok(&client, "workflow_stop", json!({"runId": run_id})).await;
    assert_eq!(stopped["status"], "stopped", "{stopped}");
    let end = await_end(&client, &run_id).await;
    assert_eq!(end["status"], "stopped");
    let again = refused(&client, "workflow_stop", json!({"runId": run_id})).await;
    assert!(again.contains("already ended (stopped)"), "{again}");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejects_broken_scripts_with_diagnostics_and_runs_nothing() {
    let ws = Workspace::new();
    let (client, _) = connect(&ws, "0ms").await;
    let syntax = "export const meta = { name: \"broken\", description: \"x\" };\nconst x = ;\n";
    let said = refused(&client, "workflow_run", json!({"script": syntax})).await;
    assert!(said.contains("does not pass the check"), "{said}");
    assert!(said.contains("nothing was run"), "{said}");
    assert!(!said.contains("wf_"), "no run id: {said}");
    let checked = ok(&client, "workflow_check", json!({"script": syntax})).await;
    assert_eq!(checked["ok"], false, "{checked}");

    let throws = "export const meta = { name: \"throws\", description: \"x\" };\nif (!args) throw new Error(\"give me args\");\nreturn 1;\n";
    let said = refused(&client, "workflow_run", json!({"script": throws})).await;
    assert!(said.contains("dry run"), "{said}");
    assert!(said.contains("give me args"), "{said}");

    let runs = ws.baton(&["runs", "--json"]);
    let listed: Value = serde_json::from_slice(&runs.stdout).unwrap_or(json!([]));
    assert_eq!(listed, json!([]), "no run was recorded");
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_result_is_pointed_to_and_served_whole() {
    let ws = Workspace::new();
    let (client, _) = connect(&ws, "0ms").await;
    let script = "export const meta = { name: \"big\", description: \"a long answer\" };\nreturn { text: \"x\".repeat(300000) };\n";
    let done = ok(
        &client,
        "workflow_run",
        json!({"script": script, "background": false}),
    )
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"], Value::Null);
    let uri = done["resultTooLarge"]["uri"]
        .as_str()
        .expect("a resource for it")
        .to_string();
    let run_id = done["runId"].as_str().unwrap();
    let answer = call(
        &client,
        "workflow_await",
        json!({"runId": run_id, "waitMs": 0}),
    )
    .await;
    assert!(
        text(&answer).contains(&uri),
        "the text names the resource: {}",
        text(&answer)
    );
    let served: Value = serde_json::from_str(&read(&client, &uri).await).unwrap();
    assert_eq!(served["text"].as_str().unwrap().len(), 300000);
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_from_a_call_never_widen_the_configured_ones() {
    let ws = Workspace::new();
    ws.write(".baton/config.toml", "max_agents = 2\n");
    let (client, listener) = connect(&ws, "0ms").await;
    let script = "export const meta = { name: \"five\", description: \"five tries\" };\nlet got = 0;\nfor (let i = 0; i < 5; i++) { try { if ((await agent(`try ${i}`)) !== null) got++; } catch (e) { } }\nreturn { got };\n";
    // Waiting for the result, with a progress token: the server reports progress on it.
    let Value::Object(args) = json!({"script": script, "maxAgents": 100, "background": false})
    else {
        unreachable!()
    };
    let mut request = CallToolRequestParams::new("workflow_run").with_arguments(args);
    request.meta = Some(RequestMetaObject::with_progress_token(ProgressToken(
        NumberOrString::Number(7),
    )));
    let result = client.call_tool(request).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    let done = result.structured_content.clone().unwrap();
    assert_eq!(done["result"], json!({"got": 2}), "{done}");
    for _ in 0..100 {
        if listener.progress.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        listener.progress.load(Ordering::SeqCst) > 0,
        "no progress notification"
    );
    assert!(
        done["narrowed"][0]
            .as_str()
            .unwrap()
            .contains("maxAgents 100"),
        "{done}"
    );
    let fewer = ok(
        &client,
        "workflow_run",
        json!({"script": script, "maxAgents": 1, "background": false}),
    )
    .await;
    assert_eq!(
        fewer["result"],
        json!({"got": 1}),
        "narrowing works: {fewer}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_to_every_tool_is_a_tool_error_and_the_server_stays_up() {
    let ws = Workspace::new();
    let (client, _) = connect(&ws, "0ms").await;
    let unknown = "wf_000000000000";
    let cases: Vec<(&'static str, Value, &str)> = vec![
        ("workflow_run", json!({}), "give one of `script`"),
        (
            "workflow_run",
            json!({"script": THREE, "name": "three"}),
            "exactly one of",
        ),
        (
            "workflow_run",
            json!({"name": "nothing-saved"}),
            "no saved workflow named",
        ),
        (
            "workflow_run",
            json!({"path": "missing.workflow.js"}),
            "no file",
        ),
        ("workflow_run", json!({"script": 42}), "invalid type"),
        (
            "workflow_run",
            json!({"script": THREE, "projectDir": "/no/such/dir"}),
            "not an existing directory",
        ),
        (
            "workflow_await",
            json!({"waitMs": 10}),
            "missing field `runId`",
        ),
        (
            "workflow_await",
            json!({"runId": unknown}),
            "missing field `waitMs`",
        ),
        (
            "workflow_await",
            json!({"runId": unknown, "waitMs": 30000}),
            "out of range",
        ),
        (
            "workflow_await",
            json!({"runId": unknown, "waitMs": -1}),
            "invalid value",
        ),
        (
            "workflow_await",
            json!({"runId": unknown, "waitMs": 0}),
            "no run",
        ),
        ("workflow_status", json!({}), "missing field `runId`"),
        ("workflow_status", json!({"runId": unknown}), "no run"),
        ("workflow_stop", json!({"runId": unknown}), "no run"),
        (
            "workflow_stop",
            json!({"run": unknown}),
            "unknown field `run`",
        ),
        ("workflow_pause", json!({}), "missing field `runId`"),
        ("workflow_unpause", json!({"runId": unknown}), "no run"),
        ("workflow_list", json!({"runs": "many"}), "invalid type"),
        ("workflow_check", json!({}), "missing field `script`"),
        ("workflow_guide", json!({"topic": 7}), "invalid type"),
    ];
    for (tool, args, expected) in cases {
        let said = refused(&client, tool, args.clone()).await;
        assert!(
            said.contains(expected),
            "{tool} {args}: expected `{expected}` in: {said}"
        );
    }
    // Still serving.
    assert_eq!(client.list_all_tools().await.unwrap().len(), TOOLS.len());
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_built_in_workflow_runs_and_reads_by_name() {
    let ws = Workspace::new();
    let (client, _) = connect(&ws, "0ms").await;
    let started = ok(
        &client,
        "workflow_run",
        json!({"name": "research-angles-judge", "args": "Is it worth it?"}),
    )
    .await;
    let run_id = started["runId"].as_str().unwrap().to_string();
    let done = await_end(&client, &run_id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["question"], "Is it worth it?", "{done}");
    let script = read(&client, "baton://workflows/deep-research").await;
    assert!(script.contains("name: 'deep-research'"), "{script}");
    let list = ok(&client, "workflow_list", json!({})).await;
    let listed = list["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "deep-research")
        .cloned()
        .unwrap_or_else(|| panic!("deep-research not listed: {list}"));
    assert_eq!(listed["scope"], "built-in", "{listed}");
    client.cancel().await.unwrap();
}
