export const meta = {
  name: 'tournament-ranking',
  description: 'Rank candidates (drafts, designs, names, error messages) by pairwise comparison in a single-elimination bracket. Every match is judged twice with the order swapped, to cancel position bias; a split match goes to a third, stronger judge.',
  whenToUse: 'Picking the best of several options when absolute scores are unreliable but "which of these two is better?" is easy to answer.',
  phases: [
    { title: 'Generate', detail: 'only when no candidates are given: one drafter per candidate' },
    { title: 'Bracket', detail: 'pairwise matches, two judges per match with swapped order' },
    { title: 'Result' },
  ],
}

// args: { candidates?: string[], criterion?: string, task?: string, count?: number }
const input = Array.isArray(args) ? { candidates: args } : args && typeof args === 'object' ? args : {}
const criterion =
  typeof input.criterion === 'string' && input.criterion ? input.criterion : 'Which one would a new user understand faster, with no loss of accuracy?'
const task =
  typeof input.task === 'string' && input.task
    ? input.task
    : 'Write the error message shown when a workflow script calls parallel() with something that is not an array of functions.'
const COUNT = Math.min(8, Math.max(2, Number.isInteger(input.count) ? input.count : 6))

let candidates = Array.isArray(input.candidates) ? input.candidates.filter((c) => typeof c === 'string' && c.trim()) : []

if (candidates.length === 0) {
  phase('Generate')
  const STYLES = ['terse', 'friendly', 'with an example', 'with a fix suggestion', 'formal', 'playful', 'numbered steps', 'one line']
  const drafts = await parallel(
    Array.from({ length: COUNT }, (_, i) => () =>
      agent(`${task}\nStyle: ${STYLES[i % STYLES.length]}. Reply with the text only.`, {
        label: `draft-${i + 1}`,
        model: 'haiku',
        effort: 'low',
      }),
    ),
  )
  candidates = drafts.filter((d) => typeof d === 'string' && d.trim()).map((d) => d.trim())
}
// Identical drafts would just play each other.
candidates = [...new Set(candidates)]

if (candidates.length < 2) {
  return { winner: candidates[0] ?? null, ranking: candidates.map((text, i) => ({ text, rank: i + 1 })), matches: [], note: 'fewer than two candidates' }
}

const MATCH_SCHEMA = {
  type: 'object',
  required: ['winner', 'reason'],
  properties: {
    winner: { type: 'string', enum: ['A', 'B'] },
    reason: { type: 'string' },
  },
}

function judgeOnce(first, second, label, opts = {}) {
  return agent(
    `Criterion: ${criterion}\n\nOption A:\n<<<\n${first}\n>>>\n\nOption B:\n<<<\n${second}\n>>>\n\n` +
      `Which option is better by the criterion? You must pick one.`,
    { label, schema: MATCH_SCHEMA, model: 'haiku', ...opts },
  )
}

// Returns the index of the winner (x or y) and how it was decided.
async function match(x, y, tag) {
  const [ab, ba] = await parallel([
    () => judgeOnce(candidates[x], candidates[y], `${tag}:ab`),
    () => judgeOnce(candidates[y], candidates[x], `${tag}:ba`),
  ])
  const votes = []
  if (ab) votes.push(ab.winner === 'A' ? x : y)
  if (ba) votes.push(ba.winner === 'A' ? y : x)
  if (votes.length === 2 && votes[0] === votes[1]) return { winner: votes[0], decidedBy: 'both-orders' }
  const tb = await judgeOnce(candidates[x], candidates[y], `${tag}:tiebreak`, { model: 'sonnet', effort: 'high' })
  if (tb) return { winner: tb.winner === 'A' ? x : y, decidedBy: 'tiebreak' }
  if (votes.length === 1) return { winner: votes[0], decidedBy: 'single-judge' }
  // Nobody could judge: the higher seed (lower index) advances, and we say so.
  return { winner: Math.min(x, y), decidedBy: 'seed' }
}

phase('Bracket')
const wins = candidates.map(() => 0)
const eliminatedIn = candidates.map(() => null)
const matches = []
let alive = candidates.map((_, i) => i)
let round = 0
const MAX_ROUNDS = Math.ceil(Math.log2(candidates.length)) + 1 // belt and braces: the bracket halves every round

while (alive.length > 1 && round < MAX_ROUNDS) {
  round++
  const next = []
  // Odd count: the top seed gets a bye. Then pair first with last (classic seeding).
  const field = [...alive]
  if (field.length % 2 === 1) next.push(field.shift())
  const pairs = []
  for (let i = 0; i < field.length / 2; i++) pairs.push([field[i], field[field.length - 1 - i]])

  const results = await parallel(pairs.map(([x, y], m) => () => match(x, y, `r${round}m${m + 1}`)))
  pairs.forEach(([x, y], m) => {
    const r = results[m] ?? { winner: Math.min(x, y), decidedBy: 'seed' }
    const loser = r.winner === x ? y : x
    wins[r.winner]++
    eliminatedIn[loser] = round
    next.push(r.winner)
    matches.push({ round, a: x, b: y, winner: r.winner, decidedBy: r.decidedBy })
  })
  alive = next.sort((a, b) => a - b)
  log(`round ${round}: ${pairs.length} match(es), ${alive.length} left`)
}

phase('Result')
const winner = alive[0]
// Rank: winner first, then by the round a candidate went out in (later is better), then by wins.
const ranking = candidates
  .map((text, i) => ({ index: i, text, wins: wins[i], eliminatedIn: eliminatedIn[i] }))
  .sort((a, b) => {
    if (a.index === winner) return -1
    if (b.index === winner) return 1
    return (b.eliminatedIn ?? 0) - (a.eliminatedIn ?? 0) || b.wins - a.wins || a.index - b.index
  })
  .map((r, i) => ({ rank: i + 1, ...r }))

return {
  criterion,
  winner: candidates[winner],
  rounds: round,
  ranking,
  matches,
  tiebreaks: matches.filter((m) => m.decidedBy !== 'both-orders').length,
}
