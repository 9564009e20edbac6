export const meta = { name: "fixture", description: "a fixture" };
const big = "é🎉 中文 ".repeat(200000);
const answers = await parallel([() => agent(big), () => agent("lone \uD800 surrogate")]);
log("lone \uDC00 surrogate in a log line");
return [big.length >= 1000000, answers.map((a) => typeof a)];
