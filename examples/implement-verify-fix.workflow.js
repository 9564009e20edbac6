export const meta = {
  name: 'implement-verify-fix',
  description: 'For each task: one agent implements it, two adversarial verifiers try to break it independently, and a fixer addresses whatever they found. Re-verifies at most twice.',
  whenToUse: 'You have a short list of well-scoped coding tasks and want each one independently checked before you look at it.',
  phases: [
    { title: 'Implement', detail: 'one implementer per task, all tasks at once' },
    { title: 'Verify', detail: 'two adversarial verifiers per task (correctness, edge cases)' },
    { title: 'Fix', detail: 'fixer addresses confirmed problems, then re-verify (max 2 rounds)' },
  ],
}

// args: { tasks: string[] | {id, description}[], testCommand?: string }
// or just an array of task strings.
const DEFAULT_TASKS = [
  'Add a --verbose flag to the CLI that prints each step as it runs',
  'Make the config loader report the file and line of a TOML syntax error',
  'Add a unit test for the empty-input case of the CSV parser',
]

const input = Array.isArray(args) ? { tasks: args } : args && typeof args === 'object' ? args : {}
const rawTasks = Array.isArray(input.tasks) && input.tasks.length > 0 ? input.tasks : DEFAULT_TASKS
const tasks = rawTasks
  .map((t, i) =>
    typeof t === 'string'
      ? { id: `task-${i + 1}`, description: t }
      : t && typeof t === 'object' && t.description
        ? { id: String(t.id ?? `task-${i + 1}`), description: String(t.description) }
        : null,
  )
  .filter(Boolean)
const testCommand = typeof input.testCommand === 'string' ? input.testCommand : 'cargo test'
const MAX_FIX_ROUNDS = 2

log(`${tasks.length} task(s); tests: ${testCommand}`)

const IMPL_SCHEMA = {
  type: 'object',
  required: ['status', 'filesChanged', 'summary'],
  properties: {
    status: { type: 'string', enum: ['done', 'partial', 'blocked'] },
    filesChanged: { type: 'array', items: { type: 'string' } },
    summary: { type: 'string' },
    blocker: { type: ['string', 'null'], description: 'why the task could not be finished, if blocked' },
  },
}

const VERIFY_SCHEMA = {
  type: 'object',
  required: ['verdict', 'problems'],
  properties: {
    verdict: { type: 'string', enum: ['pass', 'fail'] },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['severity', 'description'],
        properties: {
          severity: { type: 'string', enum: ['high', 'medium', 'low'] },
          description: { type: 'string' },
          file: { type: ['string', 'null'] },
        },
      },
    },
  },
}

const FIX_SCHEMA = {
  type: 'object',
  required: ['fixed', 'notFixed'],
  properties: {
    fixed: { type: 'array', items: { type: 'string' } },
    notFixed: { type: 'array', items: { type: 'string' } },
    testsPass: { type: 'boolean' },
  },
}

const VERIFIER_ANGLES = [
  { key: 'correctness', brief: 'Does the change actually do what the task asks? Read the diff, run the tests, try to find inputs where it is wrong.' },
  { key: 'edge-cases', brief: 'Hunt for edge cases: empty input, huge input, unicode, concurrent use, error paths. Assume the implementer missed something.' },
]

function verify(task, impl, round) {
  return parallel(
    VERIFIER_ANGLES.map((angle) => () =>
      agent(
        `You are an adversarial reviewer (${angle.key}). Your job is to find problems, not to be nice.\n\n` +
          `Task: ${task.description}\n` +
          `Implementer's summary: ${impl.summary}\n` +
          `Files changed: ${impl.filesChanged.join(', ') || '(none reported)'}\n\n` +
          `${angle.brief}\nRun \`${testCommand}\` if it helps. Report only problems you can point at; ` +
          `verdict "pass" with an empty list if you found none.`,
        {
          label: `verify:${angle.key}:${task.id}${round ? `:r${round}` : ''}`,
          phase: 'Verify',
          schema: VERIFY_SCHEMA,
          model: 'sonnet',
          tools: ['Read', 'Grep', 'Glob', 'Bash'],
        },
      ),
    ),
  )
}

function collectProblems(verdicts) {
  const seen = new Set()
  const problems = []
  for (const v of verdicts) {
    if (!v || v.verdict !== 'fail') continue
    for (const p of v.problems ?? []) {
      const key = `${p.file ?? ''}|${String(p.description).toLowerCase().trim()}`
      if (seen.has(key)) continue
      seen.add(key)
      problems.push(p)
    }
  }
  return problems
}

const results = await pipeline(
  tasks,
  // Stage 1: implement
  async (task) => {
    const impl = await agent(
      `Implement this task in the current repository:\n\n${task.description}\n\n` +
        `Keep the change minimal. Run \`${testCommand}\` before you finish. ` +
        `Report which files you changed and a two-sentence summary.`,
      { label: `implement:${task.id}`, phase: 'Implement', schema: IMPL_SCHEMA, effort: 'high' },
    )
    if (!impl) {
      log(`${task.id}: implementer returned nothing, skipping`)
      return null
    }
    if (impl.status === 'blocked') {
      return { task, impl, verdicts: [], problems: [], skipped: true }
    }
    return { task, impl }
  },
  // Stage 2: two adversarial verifiers, independently
  async (state) => {
    if (state.skipped) return state
    const verdicts = await verify(state.task, state.impl, 0)
    const problems = collectProblems(verdicts)
    const answered = verdicts.filter(Boolean).length
    return { ...state, verdicts, problems, verifiersAnswered: answered }
  },
  // Stage 3: fix what they found, re-verify, bounded
  async (state) => {
    if (state.skipped) return { id: state.task.id, status: 'blocked', reason: state.impl.blocker ?? 'implementer reported blocked' }
    let problems = state.problems
    let answered = state.verifiersAnswered
    let rounds = 0
    const fixLog = []
    while (problems.length > 0 && rounds < MAX_FIX_ROUNDS) {
      rounds++
      const fix = await agent(
        `Two reviewers found problems with the implementation of: ${state.task.description}\n\n` +
          problems.map((p, i) => `${i + 1}. [${p.severity}] ${p.description}${p.file ? ` (${p.file})` : ''}`).join('\n') +
          `\n\nFix the real ones. If a reported problem is wrong, say so in notFixed with a reason. Run \`${testCommand}\`.`,
        { label: `fix:${state.task.id}:r${rounds}`, phase: 'Fix', schema: FIX_SCHEMA },
      )
      if (!fix) {
        fixLog.push({ round: rounds, error: 'fixer returned nothing' })
        break
      }
      fixLog.push({ round: rounds, fixed: fix.fixed.length, notFixed: fix.notFixed.length })
      const again = await verify(state.task, state.impl, rounds)
      problems = collectProblems(again)
      answered = again.filter(Boolean).length
    }
    const high = problems.filter((p) => p.severity === 'high').length
    // "No problems" only means something if at least one verifier actually answered.
    const status = answered === 0 ? 'unverified' : problems.length === 0 ? 'verified' : high > 0 ? 'needs-attention' : 'minor-issues'
    return {
      id: state.task.id,
      status,
      filesChanged: state.impl.filesChanged,
      fixRounds: rounds,
      fixLog,
      openProblems: problems,
      verifiersAnswered: answered,
    }
  },
)

const summary = results.map((r, i) => r ?? { id: tasks[i].id, status: 'failed', reason: 'no result (agent failed or was stopped)' })
const counts = {}
for (const r of summary) counts[r.status] = (counts[r.status] ?? 0) + 1
log('status counts:', counts)

return { counts, tasks: summary }
