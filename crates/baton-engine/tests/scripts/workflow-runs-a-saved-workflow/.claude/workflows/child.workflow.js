export const meta = { name: "child", description: "a saved child" };
const answer = await agent(`child ${args.n}`);
return { n: args.n, agent: typeof answer === "string", args: typeof args };
