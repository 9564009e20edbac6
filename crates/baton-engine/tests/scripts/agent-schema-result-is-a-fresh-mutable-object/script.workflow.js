export const meta = { name: "fixture", description: "a fixture" };

const schema = { type: "object", properties: { verdict: { enum: ["pass", "fail"] }, notes: { type: ["string", "null"] } }, required: ["verdict"] };
const a = await agent("judge", { schema });
a.extra = 1;
const b = await agent("judge", { schema });
return [typeof a, ["pass", "fail"].includes(a.verdict), a.extra, b.extra === undefined, a !== b];
