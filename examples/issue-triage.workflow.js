export const meta = {
  name: 'issue-triage',
  description: 'Classify incoming issues with enum labels (kind, area, priority), then route each class to a different specialist: bugs get a reproducer, feature requests a scoping note, questions a drafted answer, duplicates and spam a closing note.',
  whenToUse: 'Working through an issue backlog exported as JSON (title + body per issue).',
  phases: [
    { title: 'Classify', detail: 'one cheap classifier per issue' },
    { title: 'Route', detail: 'specialist per class; agents per class run in parallel' },
    { title: 'Report' },
  ],
}

// args: { issues: [{ id, title, body }] } or a bare array of issues (strings are treated as titles).
const SAMPLE_ISSUES = [
  { id: 101, title: 'Crash when --args is an empty string', body: 'baton run x.workflow.js --args "" panics with index out of bounds' },
  { id: 102, title: 'Support YAML args files', body: 'It would be nice to pass --args-file config.yaml' },
  { id: 103, title: 'How do I set the concurrency for one run?', body: 'The docs mention a cap but not how to change it.' },
  { id: 104, title: 'Resume re-runs finished agents', body: 'After kill -9, resume ran all 40 agents again.' },
]
const rawIssues = Array.isArray(args) ? args : args && typeof args === 'object' && Array.isArray(args.issues) ? args.issues : SAMPLE_ISSUES
const issues = rawIssues
  .map((it, i) =>
    typeof it === 'string'
      ? { id: `#${i + 1}`, title: it, body: '' }
      : it && typeof it === 'object'
        ? { id: String(it.id ?? it.number ?? `#${i + 1}`), title: String(it.title ?? '(untitled)'), body: String(it.body ?? '') }
        : null,
  )
  .filter(Boolean)
  .slice(0, 300)

const KINDS = ['bug', 'feature', 'question', 'duplicate', 'spam']
const CLASSIFY_SCHEMA = {
  type: 'object',
  required: ['kind', 'priority', 'area'],
  properties: {
    kind: { type: 'string', enum: KINDS },
    priority: { type: 'string', enum: ['p0', 'p1', 'p2', 'p3'] },
    area: { type: 'string', enum: ['cli', 'runtime', 'providers', 'journal', 'docs', 'other'] },
    duplicateOf: { type: ['string', 'null'] },
  },
}

const SPECIALISTS = {
  bug: {
    prompt: (it, c) =>
      `Bug report ${it.id} (${c.priority}, area ${c.area}): ${it.title}\n\n${it.body}\n\n` +
      `Try to reproduce it against the current code. Find the likely cause. Do not fix it.`,
    schema: {
      type: 'object',
      required: ['reproduced', 'suspectedCause'],
      properties: {
        reproduced: { type: 'boolean' },
        reproSteps: { type: 'array', items: { type: 'string' } },
        suspectedCause: { type: ['string', 'null'] },
        suspectedFiles: { type: 'array', items: { type: 'string' } },
      },
    },
    model: 'sonnet',
    effort: 'high',
  },
  feature: {
    prompt: (it, c) =>
      `Feature request ${it.id} (area ${c.area}): ${it.title}\n\n${it.body}\n\n` +
      `Scope it: what would change, roughly how big, and does it conflict with anything existing?`,
    schema: {
      type: 'object',
      required: ['size', 'summary'],
      properties: {
        size: { type: 'string', enum: ['small', 'medium', 'large'] },
        summary: { type: 'string' },
        conflicts: { type: 'array', items: { type: 'string' } },
      },
    },
    model: 'sonnet',
  },
  question: {
    prompt: (it) =>
      `A user asked (issue ${it.id}): ${it.title}\n\n${it.body}\n\n` +
      `Draft a friendly answer, grounded in the docs and code of this repository. Link files by path.`,
    schema: null, // plain text answer
    model: 'haiku',
  },
  closeable: {
    prompt: (it, c) =>
      `Issue ${it.id} looks like ${c.kind}${c.duplicateOf ? ` of ${c.duplicateOf}` : ''}: ${it.title}\n\n` +
      `Write a one-paragraph, polite closing comment.`,
    schema: null,
    model: 'haiku',
  },
}
const routeOf = (kind) => (kind === 'duplicate' || kind === 'spam' ? 'closeable' : kind)

phase('Classify')
const labels = await parallel(
  issues.map((it) => () =>
    agent(
      `Triage this issue. Pick kind, priority (p0 = data loss or crash for many users, p3 = nice to have) and area.\n` +
        `If it duplicates one of the other issue titles below, set kind=duplicate and duplicateOf to its id.\n\n` +
        `Issue ${it.id}: ${it.title}\n${it.body}\n\nOther open issues:\n` +
        issues.filter((o) => o !== it).slice(0, 50).map((o) => `${o.id}: ${o.title}`).join('\n'),
      { label: `classify:${it.id}`, schema: CLASSIFY_SCHEMA, model: 'haiku', effort: 'low' },
    ),
  ),
)

const routes = {}
issues.forEach((it, i) => {
  const c = labels[i]
  const route = c ? routeOf(c.kind) : 'unclassified'
  ;(routes[route] ??= []).push({ issue: it, labels: c })
})
log(Object.entries(routes).map(([r, xs]) => `${r}=${xs.length}`).join(' '))

phase('Route')
// Each class goes to its own specialist; the classes run side by side.
const routed = await parallel(
  Object.entries(routes)
    .filter(([route]) => SPECIALISTS[route])
    .map(([route, group]) => async () => {
      const spec = SPECIALISTS[route]
      const answers = await parallel(
        group.map(({ issue, labels: c }) => () =>
          agent(spec.prompt(issue, c), {
            label: `${route}:${issue.id}`,
            schema: spec.schema,
            model: spec.model,
            ...(spec.effort ? { effort: spec.effort } : {}),
          }),
        ),
      )
      return group.map(({ issue, labels: c }, i) => ({ id: issue.id, title: issue.title, route, labels: c, result: answers[i] }))
    }),
)

phase('Report')
const rows = routed.flatMap((r) => r ?? [])
for (const { issue } of routes.unclassified ?? []) rows.push({ id: issue.id, title: issue.title, route: 'unclassified', labels: null, result: null })

const PRIO = { p0: 0, p1: 1, p2: 2, p3: 3 }
rows.sort((a, b) => (PRIO[a.labels?.priority] ?? 9) - (PRIO[b.labels?.priority] ?? 9))

return {
  total: issues.length,
  byRoute: Object.fromEntries(Object.entries(routes).map(([r, xs]) => [r, xs.length])),
  urgent: rows.filter((r) => r.labels?.priority === 'p0').map((r) => r.id),
  needsHuman: rows.filter((r) => r.result === null).map((r) => r.id),
  issues: rows,
}
