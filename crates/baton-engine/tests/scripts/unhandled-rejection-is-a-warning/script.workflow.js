export const meta = { name: "fixture", description: "a fixture" };

agent("x", { schema: { type: "string" } });
await agent("y");
return "finished";
