export const meta = { name: "fixture", description: "a fixture" };

await agent("x", { label: "a", colour: "blue" });
return 1;
