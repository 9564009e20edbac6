export const meta = { name: "nester", description: "tries to nest" };
return await workflow("child", { n: 1 });
