export const meta = { name: "fixture", description: "a fixture" };

const out = await parallel([0, 1].map((a) => () =>
  parallel([0, 1].map((b) => () =>
    parallel([0, 1].map((c) => () => agent(`leaf ${a}${b}${c}`).then(() => `${a}${b}${c}`)))))));
return out.flat(2);
