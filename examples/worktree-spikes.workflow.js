export const meta = {
  name: 'worktree-spikes',
  description: 'Try several competing approaches to the same change at once, each in its own git worktree, measure each one the same way, and recommend one. The main working tree is never touched.',
  whenToUse: 'A performance or design problem with more than one plausible fix, where you would rather compare working branches than opinions.',
  phases: [
    { title: 'Propose', detail: 'one agent proposes distinct approaches (or take them from args)' },
    { title: 'Spike', detail: 'one agent per approach, each in an isolated worktree' },
    { title: 'Compare', detail: 'one judge reads the measurements and picks' },
  ],
}

// args: { problem?: string, approaches?: string[], measure?: string, maxApproaches?: number }
const input = typeof args === 'string' ? { problem: args } : args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const problem =
  typeof input.problem === 'string' && input.problem
    ? input.problem
    : 'Startup time of the CLI is dominated by loading configuration; make `--help` fast.'
const measure = typeof input.measure === 'string' && input.measure ? input.measure : 'the test suite plus a before/after timing of the slow path'
const MAX_APPROACHES = Math.min(5, Math.max(1, Number.isInteger(input.maxApproaches) ? input.maxApproaches : 3))

let approaches = Array.isArray(input.approaches) ? input.approaches.filter((a) => typeof a === 'string' && a.trim()) : []

if (approaches.length === 0) {
  phase('Propose')
  const proposal = await agent(
    `Problem: ${problem}\n\nRead the relevant code and propose up to ${MAX_APPROACHES} genuinely different approaches ` +
      `(not variations of one idea). One sentence each, concrete enough to implement.`,
    {
      label: 'propose',
      model: 'sonnet',
      effort: 'high',
      tools: ['Read', 'Grep', 'Glob'],
      schema: {
        type: 'object',
        required: ['approaches'],
        properties: { approaches: { type: 'array', items: { type: 'string' } } },
      },
    },
  )
  approaches = (proposal?.approaches ?? []).filter((a) => typeof a === 'string' && a.trim())
}
approaches = [...new Set(approaches)].slice(0, MAX_APPROACHES)

if (approaches.length === 0) {
  return { problem, recommendation: null, spikes: [], note: 'no approaches were proposed' }
}

const SPIKE_SCHEMA = {
  type: 'object',
  required: ['implemented', 'testsPass', 'measurement', 'diffSummary'],
  properties: {
    implemented: { type: 'boolean' },
    testsPass: { type: ['boolean', 'null'], description: 'null when tests could not be run' },
    measurement: { type: 'string', description: 'what you measured and the numbers, before and after' },
    diffSummary: { type: 'string' },
    linesChanged: { type: ['integer', 'null'] },
    caveats: { type: 'array', items: { type: 'string' } },
  },
}

phase('Spike')
const spikes = await parallel(
  approaches.map((approach, i) => () =>
    agent(
      `Problem: ${problem}\n\nImplement THIS approach only, as a quick spike (not production polish):\n${approach}\n\n` +
        `Then measure: ${measure}. Report the numbers honestly, including if the approach did not help. Commit your work on the current branch.`,
      // Each spike gets its own worktree cut from HEAD; a spike that changes nothing leaves no branch behind.
      { label: `spike-${i + 1}`, isolation: 'worktree', schema: SPIKE_SCHEMA, effort: 'medium', maxTurns: 60 },
    ),
  ),
)

const usable = approaches
  .map((approach, i) => ({ id: `spike-${i + 1}`, approach, result: spikes[i] }))
  .filter((s) => s.result && s.result.implemented)
log(`${usable.length}/${approaches.length} spike(s) produced an implementation`)

if (usable.length === 0) {
  return {
    problem,
    recommendation: null,
    spikes: approaches.map((approach, i) => ({ id: `spike-${i + 1}`, approach, implemented: false, failed: spikes[i] === null })),
    note: 'no spike produced an implementation',
  }
}

let verdict = null
if (usable.length === 1) {
  verdict = { pick: usable[0].id, reason: 'only one spike produced an implementation', runnerUp: null }
} else {
  phase('Compare')
  verdict = await agent(
    `Problem: ${problem}\n\nEach spike below was implemented on its own branch and measured the same way.\n\n` +
      usable
        .map(
          (s) =>
            `## ${s.id}: ${s.approach}\nTests pass: ${s.result.testsPass}\nMeasurement: ${s.result.measurement}\n` +
            `Diff: ${s.result.diffSummary} (${s.result.linesChanged ?? '?'} lines)\nCaveats: ${(s.result.caveats ?? []).join('; ') || 'none'}`,
        )
        .join('\n\n') +
      `\n\nPick the one to take forward. Failing tests disqualify. Prefer the smaller diff when gains are similar.`,
    {
      label: 'compare',
      model: 'opus',
      schema: {
        type: 'object',
        required: ['pick', 'reason'],
        properties: {
          pick: { type: 'string', enum: usable.map((s) => s.id) },
          reason: { type: 'string' },
          runnerUp: { type: ['string', 'null'] },
        },
      },
    },
  )
}

return {
  problem,
  recommendation: verdict ? { ...verdict, approach: usable.find((s) => s.id === verdict.pick)?.approach ?? null } : null,
  spikes: approaches.map((approach, i) => ({
    id: `spike-${i + 1}`,
    approach,
    implemented: spikes[i]?.implemented ?? false,
    testsPass: spikes[i]?.testsPass ?? null,
    measurement: spikes[i]?.measurement ?? null,
    failed: spikes[i] === null,
  })),
}
