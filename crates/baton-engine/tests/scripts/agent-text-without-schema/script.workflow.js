export const meta = { name: "fixture", description: "a fixture" };

const answer = await agent("say something", { schema: null, label: "talker" });
return typeof answer === "string" && answer.length > 0;
