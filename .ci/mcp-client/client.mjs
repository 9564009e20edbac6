// Drives `baton mcp` with the official TypeScript MCP SDK, a client baton did not write:
// handshake, tools and prompt, a sim workflow run in the background and awaited (timeout,
// then terminal), its result resource and the list-changed notification, a broken script
// rejected, bad input answered as a tool error. Usage: node client.mjs <baton> <workspace>.
// Exits non-zero with the failed check on stderr; prints one summary line when all pass.
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResourceListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [baton, workspace] = process.argv.slice(2);
const env = { ...process.env, HOME: workspace, BATON_HOME: `${workspace}/.baton`, BATON_MODEL: "sim", BATON_SIM_LATENCY: "2000ms" };
delete env.ANTHROPIC_API_KEY;
delete env.OPENAI_API_KEY;
const transport = new StdioClientTransport({ command: baton, args: ["mcp"], cwd: workspace, env, stderr: "inherit" });
const client = new Client({ name: "baton-check", version: "1.0.0" });
let listChanged = 0;
client.setNotificationHandler(ResourceListChangedNotificationSchema, () => { listChanged += 1; });
await client.connect(transport);
let checks = 0;
const check = (what, fn) => { fn(); checks += 1; };

const tools = (await client.listTools()).tools.map((t) => t.name).sort();
check("tools", () => assert.deepEqual(tools, ["workflow_await", "workflow_check", "workflow_guide", "workflow_list", "workflow_pause", "workflow_run", "workflow_status", "workflow_stop", "workflow_unpause"]));
const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
check("prompts", () => assert.deepEqual(prompts, ["author-workflow"]));
const prompt = await client.getPrompt({ name: "author-workflow", arguments: { task: "count the TODOs" } });
check("prompt", () => assert.match(prompt.messages[0].content.text, /count the TODOs[\s\S]*workflow_run/));

const script = `export const meta = { name: "pair", description: "two agents" };
const both = await parallel([() => agent("one"), () => agent("two")]);
return { answered: both.filter((a) => a !== null).length };
`;
const started = await client.callTool({ name: "workflow_run", arguments: { script } });
check("run started", () => assert.equal(started.isError, false, JSON.stringify(started)));
const runId = started.structuredContent.runId;
check("run id", () => assert.match(runId, /^wf_[0-9a-z]{12}$/));
const early = await client.callTool({ name: "workflow_await", arguments: { runId, waitMs: 0 } });
check("timeout", () => assert.equal(early.structuredContent.returnedBecause, "timeout"));
let done = early;
for (let i = 0; i < 20 && done.structuredContent.returnedBecause !== "terminal"; i++) {
  done = await client.callTool({ name: "workflow_await", arguments: { runId, waitMs: 25000 } });
}
check("terminal", () => assert.equal(done.structuredContent.status, "completed"));
check("result", () => assert.deepEqual(done.structuredContent.result, { answered: 2 }));
const resource = await client.readResource({ uri: `baton://runs/${runId}/result` });
check("resource", () => assert.deepEqual(JSON.parse(resource.contents[0].text), { answered: 2 }));
for (let i = 0; i < 50 && listChanged === 0; i++) await new Promise((r) => setTimeout(r, 100));
check("list changed", () => assert.ok(listChanged > 0, "no notifications/resources/list_changed"));

const broken = await client.callTool({ name: "workflow_run", arguments: { script: "export const meta = { name: \"b\", description: \"b\" };\nconst = 1;\n" } });
check("rejected", () => assert.equal(broken.isError, true));
check("diagnostics", () => assert.match(broken.content[0].text, /does not pass the check/));
const bad = await client.callTool({ name: "workflow_await", arguments: { runId, waitMs: 99999 } });
check("bad input", () => assert.equal(bad.isError, true));
check("bad input message", () => assert.match(bad.content[0].text, /out of range/));

await client.close();
console.log(`mcp-node: ${checks} passed, 0 failed`);
