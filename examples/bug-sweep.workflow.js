export const meta = {
  name: 'bug-sweep',
  description: 'Repeated bug-hunting rounds over a codebase. Each round several hunters look for bugs not already on the list; the sweep stops after two consecutive rounds turn up nothing new, or after 6 rounds.',
  whenToUse: 'Before a release, to shake out bugs until the hunters run dry.',
  phases: [
    { title: 'Hunt', detail: 'parallel hunters per round, told what is already known' },
    { title: 'Confirm', detail: 'one confirmer per new finding (cheap model)' },
    { title: 'Report' },
  ],
}

// args: { scope?: string, hunters?: number (1-6), maxRounds?: number (1-6) }
const input = args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const scope = typeof input.scope === 'string' && input.scope ? input.scope : 'src/'
const HUNTERS = Math.min(6, Math.max(1, Number.isInteger(input.hunters) ? input.hunters : 3))
const MAX_ROUNDS = Math.min(6, Math.max(1, Number.isInteger(input.maxRounds) ? input.maxRounds : 6))
const QUIET_ROUNDS_TO_STOP = 2

const LENSES = [
  'off-by-one errors, wrong bounds, integer overflow',
  'error handling: swallowed errors, unwraps on user input, missing cleanup',
  'concurrency: races, lock ordering, shared mutable state',
  'input parsing: unicode, empty input, malformed data',
  'resource leaks: files, sockets, child processes',
  'logic errors in rarely used branches',
]

const FINDINGS_SCHEMA = {
  type: 'object',
  required: ['bugs'],
  properties: {
    bugs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'line', 'kind', 'description'],
        properties: {
          file: { type: 'string' },
          line: { type: 'integer' },
          kind: { type: 'string', enum: ['crash', 'wrong-result', 'leak', 'race', 'security', 'other'] },
          description: { type: 'string' },
          repro: { type: ['string', 'null'] },
        },
      },
    },
  },
}

const CONFIRM_SCHEMA = {
  type: 'object',
  required: ['real', 'severity'],
  properties: {
    real: { type: 'boolean' },
    severity: { type: 'string', enum: ['critical', 'major', 'minor'] },
    note: { type: 'string' },
  },
}

// Same bug reported by two hunters (or in two rounds) must count once.
// Line numbers drift between reports, so bucket them by tens.
function keyOf(bug) {
  const file = String(bug.file ?? '').trim().toLowerCase()
  const line = Number.isFinite(bug.line) ? Math.floor(bug.line / 10) : 'x'
  return `${file}#${line}#${bug.kind}`
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const known = new Map() // key -> finding
const rounds = []
let quiet = 0
let round = 0

while (round < MAX_ROUNDS && quiet < QUIET_ROUNDS_TO_STOP) {
  round++
  phase('Hunt')
  const knownList = [...known.values()].map((b) => `- ${b.file}:${b.line} (${b.kind}) ${b.description}`).join('\n')
  const results = await parallel(
    Array.from({ length: HUNTERS }, (_, h) => () =>
      agent(
        `Hunt for bugs in ${scope}. Lens: ${LENSES[(h + round - 1) % LENSES.length]}.\n` +
          `Report only bugs you can point to with file and line; do not fix anything.\n` +
          (knownList ? `These are already known, do NOT report them again:\n${knownList}\n` : '') +
          `Return an empty list if you find nothing new.`,
        { label: `hunter-${h + 1}:round-${round}`, schema: FINDINGS_SCHEMA, tools: ['Read', 'Grep', 'Glob'] },
      ),
    ),
  )

  const fresh = new Map()
  for (const r of results) {
    for (const bug of r?.bugs ?? []) {
      const key = keyOf(bug)
      if (!known.has(key) && !fresh.has(key)) fresh.set(key, bug)
    }
  }

  // Only confirmed bugs go on the list; an unconfirmed one is dropped (a later round may find it again).
  phase('Confirm')
  const freshList = [...fresh.entries()]
  const confirmations = await parallel(
    freshList.map(([key, bug]) => () =>
      agent(
        `Is this a real bug? Check the code; try the repro if there is one.\n` +
          `${bug.file}:${bug.line} (${bug.kind}): ${bug.description}\nRepro: ${bug.repro ?? 'none given'}`,
        { label: `confirm:${key}`, schema: CONFIRM_SCHEMA, model: 'haiku', effort: 'low' },
      ),
    ),
  )
  let added = 0
  freshList.forEach(([key, bug], i) => {
    const c = confirmations[i]
    if (c && c.real) {
      known.set(key, { ...bug, severity: c.severity, foundInRound: round })
      added++
    }
  })

  const answered = results.filter(Boolean).length
  rounds.push({ round, huntersAnswered: answered, reported: fresh.size, confirmedNew: added })
  // A round where no hunter answered at all says nothing about whether bugs remain; don't count it as quiet.
  if (added === 0 && answered > 0) quiet++
  else if (added > 0) quiet = 0
  log(`round ${round}: ${fresh.size} new report(s), ${added} confirmed, total ${known.size}, quiet streak ${quiet}`)

  if (answered === 0 && round < MAX_ROUNDS) {
    // Everyone failed: likely rate limiting. Back off before the next round.
    console.warn(`round ${round}: no hunter answered, backing off`)
    await sleep(2000 * round)
  }
}

phase('Report')
const order = { critical: 0, major: 1, minor: 2 }
const bugs = [...known.values()].sort((x, y) => (order[x.severity] ?? 3) - (order[y.severity] ?? 3))
return {
  scope,
  stoppedBecause: quiet >= QUIET_ROUNDS_TO_STOP ? 'two quiet rounds' : 'round limit',
  rounds,
  total: bugs.length,
  bugs,
}
