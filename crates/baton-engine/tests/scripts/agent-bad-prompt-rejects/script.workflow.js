export const meta = { name: "fixture", description: "a fixture" };

try { await agent(42); } catch (e) { return [e.name, e.message.includes("prompt")]; }
