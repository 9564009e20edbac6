export const meta = { name: "fixture", description: "a fixture" };

return [budget.total, budget.remaining() === Infinity, budget.spent(), Object.isFrozen(budget)];
