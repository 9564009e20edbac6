export const meta = {
  name: 'majority-vote-review',
  description: 'Three reviewers judge a change independently with an enum verdict (approve / request_changes / reject); the majority wins and blocking concerns are merged.',
  whenToUse: 'Gate a pull request or a local diff on a 2-of-3 decision instead of one reviewer\'s mood.',
  phases: [
    { title: 'Review', detail: 'three independent reviewers, each with a different focus' },
    { title: 'Tally', detail: 'majority verdict, merged concerns (no agents)' },
  ],
}

// args: { target?: string (branch, commit range or PR description), focus?: string[] }
// or a plain string naming the target.
const input = typeof args === 'string' ? { target: args } : args && typeof args === 'object' ? args : {}
const target = typeof input.target === 'string' && input.target ? input.target : 'the uncommitted changes in the working tree (git diff HEAD)'
const FOCUSES =
  Array.isArray(input.focus) && input.focus.length === 3
    ? input.focus.map(String)
    : ['correctness and tests', 'security and error handling', 'readability and API design']

const VERDICTS = ['approve', 'request_changes', 'reject']

const REVIEW_SCHEMA = {
  type: 'object',
  required: ['verdict', 'confidence', 'concerns'],
  properties: {
    verdict: { type: 'string', enum: VERDICTS },
    confidence: { type: 'string', enum: ['low', 'medium', 'high'] },
    concerns: {
      type: 'array',
      items: {
        type: 'object',
        required: ['title', 'blocking'],
        properties: {
          title: { type: 'string' },
          blocking: { type: 'boolean' },
          location: { type: ['string', 'null'] },
        },
      },
    },
  },
}

phase('Review')
const reviews = await parallel(
  FOCUSES.map((focus, i) => () =>
    agent(
      `Review ${target}.\n\nYour focus: ${focus}. Other reviewers cover other areas, so stay in your lane.\n` +
        `Give one verdict: approve (ship it), request_changes (fixable problems), or reject (wrong approach).\n` +
        `List concerns; mark a concern blocking only if you would not merge with it.`,
      { label: `reviewer-${i + 1}`, schema: REVIEW_SCHEMA, model: 'sonnet', tools: ['Read', 'Grep', 'Glob', 'Bash'] },
    ),
  ),
)

phase('Tally')
const counted = {}
for (const v of VERDICTS) counted[v] = 0
reviews.forEach((r) => {
  if (r) counted[r.verdict] = (counted[r.verdict] ?? 0) + 1
})
const answered = reviews.filter(Boolean).length

// Majority = at least 2 of 3 *seats*, so a missing reviewer can never make a 1-vote "majority".
let decision = 'no_majority'
for (const v of VERDICTS) if (counted[v] >= 2) decision = v

// When there is no majority, be conservative: the strictest verdict cast wins, but say so.
let resolvedBy = 'majority'
if (decision === 'no_majority') {
  const strictest = [...VERDICTS].reverse().find((v) => counted[v] > 0)
  decision = strictest ?? 'no_reviews'
  resolvedBy = strictest ? 'strictest-vote' : 'none'
}

const blocking = new Map()
reviews.forEach((r, i) => {
  for (const c of r?.concerns ?? []) {
    if (!c.blocking) continue
    const key = String(c.title).toLowerCase().replace(/\s+/g, ' ').trim()
    const prev = blocking.get(key)
    if (prev) prev.raisedBy.push(FOCUSES[i])
    else blocking.set(key, { title: c.title, location: c.location ?? null, raisedBy: [FOCUSES[i]] })
  }
})

console.log(`verdicts: ${JSON.stringify(counted)} (${answered}/3 answered) -> ${decision} by ${resolvedBy}`)

return {
  target,
  decision,
  resolvedBy,
  votes: counted,
  answered,
  blockingConcerns: [...blocking.values()].sort((x, y) => y.raisedBy.length - x.raisedBy.length),
  reviews: reviews.map((r, i) => ({ focus: FOCUSES[i], verdict: r?.verdict ?? null, confidence: r?.confidence ?? null })),
}
