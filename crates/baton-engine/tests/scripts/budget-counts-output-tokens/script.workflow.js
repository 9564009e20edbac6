export const meta = { name: "fixture", description: "a fixture" };

await agent("spend some tokens");
const spent = budget.spent();
return spent > 0;
