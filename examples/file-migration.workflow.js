export const meta = {
  name: 'file-migration',
  description: 'Migrate a list of files one by one: plan each file, apply the plan, review the result; files flow through the stages independently. Ends with a summary.',
  whenToUse: 'Mechanical but judgment-needing migrations (callbacks to async/await, one logging library to another, old test framework to new) over a known file list.',
  phases: [
    { title: 'Plan', detail: 'read-only plan per file; may say the file needs no change' },
    { title: 'Apply', detail: 'edit the file according to its plan' },
    { title: 'Review', detail: 'independent reviewer checks the edit, cheap model' },
    { title: 'Summary' },
  ],
}

// args: { files: string[], migration?: string, checkCommand?: string }
const input = Array.isArray(args) ? { files: args } : args && typeof args === 'object' ? args : {}
const files = (Array.isArray(input.files) ? input.files : ['src/server.js', 'src/db.js', 'src/routes/users.js'])
  .filter((f) => typeof f === 'string' && f.trim())
  .map((f) => f.trim())
const migration =
  typeof input.migration === 'string' && input.migration
    ? input.migration
    : 'Replace Node-style callbacks with async/await. Keep exported function names and argument order.'
const checkCommand = typeof input.checkCommand === 'string' ? input.checkCommand : null

if (files.length === 0) {
  log('no files given; nothing to do')
  return { migration, files: [], summary: 'No files to migrate.' }
}

const PLAN_SCHEMA = {
  type: 'object',
  required: ['needsChange', 'steps', 'risk'],
  properties: {
    needsChange: { type: 'boolean' },
    steps: { type: 'array', items: { type: 'string' } },
    risk: { type: 'string', enum: ['low', 'medium', 'high'] },
    touchesExports: { type: 'boolean' },
  },
}

const APPLY_SCHEMA = {
  type: 'object',
  required: ['applied', 'notes'],
  properties: {
    applied: { type: 'boolean' },
    notes: { type: 'string' },
    stepsSkipped: { type: 'array', items: { type: 'string' } },
  },
}

const REVIEW_SCHEMA = {
  type: 'object',
  required: ['verdict', 'issues'],
  properties: {
    verdict: { type: 'string', enum: ['ok', 'needs-followup', 'revert'] },
    issues: { type: 'array', items: { type: 'string' } },
  },
}

const results = await pipeline(
  files,
  (file) =>
    agent(
      `Migration: ${migration}\n\nPlan the migration of ${file}. Read it (and its callers if the exports change). ` +
        `Do not edit. If the file needs no change, say so with an empty step list.`,
      { label: `plan:${file}`, phase: 'Plan', schema: PLAN_SCHEMA, model: 'sonnet', tools: ['Read', 'Grep', 'Glob'] },
    ).then((plan) => (plan ? { file, plan } : null)),

  async (prev) => {
    const { file, plan } = prev
    if (!plan.needsChange || plan.steps.length === 0) return { ...prev, apply: null, skipped: true }
    const apply = await agent(
      `Migration: ${migration}\n\nApply this plan to ${file}:\n${plan.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n` +
        `Edit only ${file}${plan.touchesExports ? ' and the call sites of anything whose signature you change' : ''}.` +
        (checkCommand ? ` Run \`${checkCommand}\` afterwards.` : ''),
      { label: `apply:${file}`, phase: 'Apply', schema: APPLY_SCHEMA, effort: plan.risk === 'high' ? 'high' : 'medium' },
    )
    if (!apply) return { ...prev, apply: null, skipped: false, failed: 'apply agent returned nothing' }
    return { ...prev, apply, skipped: false }
  },

  async (prev) => {
    if (prev.skipped || prev.failed || !prev.apply.applied) return prev
    const review = await agent(
      `Review the migration of ${prev.file} (see git diff for that file). Goal: ${migration}\n` +
        `Check that behaviour is unchanged, errors still propagate, and nothing is left half-converted.`,
      { label: `review:${prev.file}`, phase: 'Review', schema: REVIEW_SCHEMA, model: 'haiku' },
    )
    return { ...prev, review }
  },
)

phase('Summary')
const rows = results.map((r, i) => {
  const file = files[i]
  if (!r) return { file, status: 'planning-failed' }
  if (r.skipped) return { file, status: 'no-change-needed' }
  if (r.failed) return { file, status: 'apply-failed', note: r.failed }
  if (!r.apply.applied) return { file, status: 'not-applied', note: r.apply.notes }
  if (!r.review) return { file, status: 'applied-unreviewed', risk: r.plan.risk }
  return {
    file,
    status: r.review.verdict === 'ok' ? 'migrated' : r.review.verdict,
    risk: r.plan.risk,
    issues: r.review.issues,
  }
})

const byStatus = {}
for (const r of rows) (byStatus[r.status] ??= []).push(r.file)

const lines = Object.entries(byStatus).map(([status, names]) => `${status}: ${names.length} (${names.join(', ')})`)
log(lines.join(' | '))

return { migration, byStatus, files: rows, summary: lines.join('\n') }
