export const meta = {
  name: 'release-notes',
  description: 'Turn a raw changelog (commit subjects, PR titles, one per line) into grouped, user-facing release notes. Conventional-commit prefixes are grouped in plain JS; the rest are classified by a cheap agent in batches; a writer drafts the notes.',
  whenToUse: 'Cutting a release: paste `git log --oneline v1.2.0..HEAD` as args.changelog.',
  phases: [
    { title: 'Parse', detail: 'split lines, drop noise, group by conventional-commit prefix (no agents)' },
    { title: 'Classify', detail: 'batches of unprefixed lines to a haiku classifier' },
    { title: 'Write', detail: 'one writer per release, plain markdown' },
  ],
}

// args: { changelog: string | string[], version?: string, audience?: string }
//   or just the changelog text as a string.
const SAMPLE = `a1b2c3d feat(cli): add --json output to the run command
b2c3d4e fix: resume no longer re-runs completed agents
c3d4e5f Bump serde from 1.0.200 to 1.0.203
d4e5f6a Make the monitor readable on light terminals
e5f6a7b docs: explain worktree isolation
f6a7b8c perf(journal): batch commits every 100 ms
a7b8c9d Merge pull request #41 from someone/branch
b8c9d0e Handle SIGTERM by stopping agents cleanly
c9d0e1f chore: fix typo in CI config`

const input = typeof args === 'string' ? { changelog: args } : Array.isArray(args) ? { changelog: args } : args && typeof args === 'object' ? args : {}
const rawChangelog = Array.isArray(input.changelog) ? input.changelog.map(String).join('\n') : typeof input.changelog === 'string' ? input.changelog : SAMPLE
const version = typeof input.version === 'string' ? input.version : 'next'
const audience = typeof input.audience === 'string' ? input.audience : 'users of the command-line tool'

const GROUPS = ['features', 'fixes', 'performance', 'docs', 'breaking', 'internal']
const PREFIX_TO_GROUP = {
  feat: 'features', feature: 'features', fix: 'fixes', bugfix: 'fixes', perf: 'performance',
  docs: 'docs', doc: 'docs', chore: 'internal', ci: 'internal', build: 'internal', test: 'internal',
  refactor: 'internal', style: 'internal',
}

phase('Parse')
const NOISE = [/^merge (pull request|branch)/i, /^bump .+ from .+ to /i, /^revert "?merge/i]
const entries = []
let dropped = 0
for (let line of rawChangelog.split(/\r?\n/)) {
  line = line.trim().replace(/^[-*]\s+/, '').replace(/^[0-9a-f]{7,40}\s+/, '')
  if (!line) continue
  if (NOISE.some((re) => re.test(line))) {
    dropped++
    continue
  }
  const m = /^(\w+)(\(([^)]*)\))?(!)?:\s*(.+)$/.exec(line)
  if (m && PREFIX_TO_GROUP[m[1].toLowerCase()]) {
    entries.push({ text: m[5], scope: m[3] ?? null, group: m[4] ? 'breaking' : PREFIX_TO_GROUP[m[1].toLowerCase()], how: 'prefix' })
  } else {
    entries.push({ text: line, scope: null, group: null, how: 'agent' })
  }
}
log(`${entries.length} entries (${dropped} noise lines dropped), ${entries.filter((e) => !e.group).length} need classification`)

if (entries.length === 0) {
  return { version, notes: `## ${version}\n\nNo user-visible changes.`, groups: {}, dropped }
}

phase('Classify')
const CLASSIFY_SCHEMA = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'group', 'userVisible'],
        properties: {
          index: { type: 'integer' },
          group: { type: 'string', enum: GROUPS },
          userVisible: { type: 'boolean' },
        },
      },
    },
  },
}
const unclassified = entries.filter((e) => !e.group)
const BATCH = 25
const batches = []
for (let i = 0; i < unclassified.length; i += BATCH) batches.push(unclassified.slice(i, i + BATCH))

const classified = await parallel(
  batches.map((batch, b) => () =>
    agent(
      `Classify each changelog line into one group: ${GROUPS.join(', ')}.\n` +
        `"breaking" only if users must change something. userVisible=false for refactors, CI, dependency bumps.\n\n` +
        batch.map((e, i) => `${i}. ${e.text}`).join('\n') +
        `\n\nReturn one item per line, using the line's number as index.`,
      { label: `classify:batch-${b + 1}`, schema: CLASSIFY_SCHEMA, model: 'haiku', effort: 'low' },
    ),
  ),
)
batches.forEach((batch, b) => {
  for (const item of classified[b]?.items ?? []) {
    const e = batch[item.index]
    if (!e || e.group) continue // out-of-range index or a duplicate answer for the same line
    e.group = (item.userVisible || item.group === 'breaking') ? item.group : 'internal'
  }
})
// Anything still unclassified (classifier failed, skipped a line) is kept, not silently lost.
for (const e of entries) if (!e.group) e.group = 'unsorted'

const grouped = {}
for (const e of entries) (grouped[e.group] ??= []).push(e.scope ? `${e.scope}: ${e.text}` : e.text)

phase('Write')
const visibleGroups = Object.entries(grouped).filter(([g]) => g !== 'internal')
const draft = visibleGroups
  .map(([g, items]) => `### ${g}\n${items.map((t) => `- ${t}`).join('\n')}`)
  .join('\n\n')

let notes = `## ${version}\n\n${draft || 'Internal changes only.'}`
if (visibleGroups.length > 0) {
  const written = await agent(
    `Write release notes for version ${version}. Audience: ${audience}.\n` +
      `Rewrite each item as a short user-facing sentence (what changed for them, not how). ` +
      `Keep the groups, put breaking changes first with a migration hint, drop nothing, invent nothing.\n` +
      `Output markdown only, starting with "## ${version}".\n\n${draft}`,
    { label: 'writer', model: 'sonnet' },
  ).catch((e) => {
    console.error(`writer failed: ${e?.message ?? e}`)
    return null
  })
  if (typeof written === 'string' && written.trim()) notes = written.trim()
  else console.warn('writer returned nothing; using the grouped draft')
}

const counts = Object.fromEntries(Object.entries(grouped).map(([g, items]) => [g, items.length]))
return { version, notes, counts, grouped, dropped }
