export const meta = {
  name: 'budget-aware-review',
  description: 'Code review whose size follows the token budget: decide how many reviewers to hire from budget.total and budget.remaining(), hire the most valuable lenses first, and stop adding follow-ups when the budget runs low.',
  whenToUse: 'Run with --budget-tokens N: a small budget gets one generalist, a large one gets a full panel plus follow-up deep dives.',
  phases: [
    { title: 'Plan', detail: 'pick the number of reviewers from the budget (no agents)' },
    { title: 'Review', detail: 'the hired reviewers, in parallel' },
    { title: 'Deep dive', detail: 'follow-ups on high-severity findings while the budget lasts' },
    { title: 'Summarize' },
  ],
}

// args: { target?: string, tokensPerReviewer?: number }
const input = args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const target = typeof input.target === 'string' && input.target ? input.target : 'the changes on this branch compared to main'
const PER_REVIEWER = Number.isFinite(input.tokensPerReviewer) && input.tokensPerReviewer > 0 ? input.tokensPerReviewer : 8000
const MAX_DEEP_DIVES = 4

// Ordered by value: if we can afford only one, it is the first.
const LENSES = [
  { key: 'generalist', focus: 'anything that is wrong: bugs, missing tests, confusing code' },
  { key: 'correctness', focus: 'logic errors, off-by-one, wrong error handling' },
  { key: 'security', focus: 'injection, path traversal, secrets, unsafe deserialization' },
  { key: 'performance', focus: 'accidental quadratic loops, blocking calls, needless allocations' },
  { key: 'api', focus: 'public API shape, naming, backwards compatibility' },
  { key: 'tests', focus: 'are the new behaviours tested; are the tests meaningful' },
]

phase('Plan')
const remainingAtStart = budget.remaining()
let hires
if (budget.total === null || remainingAtStart === Infinity) {
  hires = 3 // no budget set: a sensible default panel
} else {
  // Keep a quarter of the budget for deep dives and the summary.
  hires = Math.floor((remainingAtStart * 0.75) / PER_REVIEWER)
}
hires = Math.max(1, Math.min(LENSES.length, hires))
const panel = LENSES.slice(0, hires)
console.log(
  `budget total=${budget.total ?? 'none'} remaining=${remainingAtStart} spent=${budget.spent()} -> hiring ${hires}: ${panel.map((l) => l.key).join(', ')}`,
)

const REVIEW_SCHEMA = {
  type: 'object',
  required: ['findings'],
  properties: {
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['title', 'severity', 'where'],
        properties: {
          title: { type: 'string' },
          severity: { type: 'string', enum: ['high', 'medium', 'low'] },
          where: { type: 'string' },
          detail: { type: 'string' },
        },
      },
    },
  },
}

phase('Review')
const reviews = await parallel(
  panel.map((lens) => () =>
    agent(
      `Review ${target}. Focus: ${lens.focus}.\nBe concrete: file and line for every finding. Empty list if you find nothing.`,
      { label: `review:${lens.key}`, schema: REVIEW_SCHEMA, model: lens.key === 'generalist' ? 'sonnet' : 'haiku' },
    ),
  ),
)

const findings = []
const seen = new Set()
reviews.forEach((r, i) => {
  for (const f of r?.findings ?? []) {
    const key = `${f.where}|${f.title}`.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    findings.push({ ...f, lens: panel[i].key })
  }
})

phase('Deep dive')
// Follow up on high-severity findings one at a time, checking the budget before each hire.
const deepDives = []
const high = findings.filter((f) => f.severity === 'high').slice(0, MAX_DEEP_DIVES)
for (const f of high) {
  if (budget.remaining() < PER_REVIEWER) {
    log(`budget low (${budget.remaining()} left), skipping remaining deep dives`)
    break
  }
  let dive = null
  try {
    dive = await agent(
      `A reviewer flagged this as high severity: "${f.title}" at ${f.where}.\n${f.detail ?? ''}\n` +
        `Confirm or refute it by reading the code and, if possible, writing a failing test (do not commit it).`,
      {
        label: `deep-dive:${f.where}`,
        effort: 'high',
        schema: {
          type: 'object',
          required: ['confirmed', 'explanation'],
          properties: { confirmed: { type: 'boolean' }, explanation: { type: 'string' }, testName: { type: ['string', 'null'] } },
        },
      },
    )
  } catch (e) {
    // Outside parallel/pipeline a spent budget makes agent() throw; keep what we have.
    log(`deep dive not run: ${e?.message ?? e}`)
    break
  }
  deepDives.push({ title: f.title, where: f.where, confirmed: dive?.confirmed ?? null, explanation: dive?.explanation ?? null })
}

phase('Summarize')
const SEV = { high: 0, medium: 1, low: 2 }
findings.sort((a, b) => (SEV[a.severity] ?? 3) - (SEV[b.severity] ?? 3))
const refuted = new Set(deepDives.filter((d) => d.confirmed === false).map((d) => `${d.where}|${d.title}`))

return {
  target,
  budget: { total: budget.total, spentTokens: budget.spent(), reviewersHired: hires },
  reviewersAnswered: reviews.filter(Boolean).length,
  findings: findings.filter((f) => !refuted.has(`${f.where}|${f.title}`)),
  refuted: [...refuted],
  deepDives,
}
