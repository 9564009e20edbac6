// leading comment
export const meta = {
  name: "pos",
  description: "positions",
  phases: [{ title: "Only" }],
};
const note = "héllo wörld"; const value = note.nope.deeper;
