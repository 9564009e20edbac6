export const meta = {
  name: 'sharded-survey',
  description: 'Ask the same question of many shards (directories, services, packages) with one cheap agent per shard, then synthesize one answer from all of them.',
  whenToUse: 'Questions like "which services still read config from env vars?" across a monorepo, where one agent cannot hold everything at once.',
  phases: [
    { title: 'Survey', detail: 'one haiku agent per shard, in parallel' },
    { title: 'Synthesize', detail: 'one sonnet agent reads every shard report' },
  ],
}

// args: { question: string, shards: string[] }  e.g.
//   --args '{"question":"Where do we log secrets?","shards":["services/auth","services/billing"]}'
const input = args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const question =
  typeof input.question === 'string' && input.question.trim()
    ? input.question.trim()
    : typeof args === 'string' && args.trim()
      ? args.trim()
      : 'Which external services does this code talk to, and how are their credentials obtained?'
const shards = (Array.isArray(input.shards) && input.shards.length ? input.shards : ['src', 'tests', 'scripts', 'docs'])
  .map((s) => String(s).trim())
  .filter((s, i, all) => s && all.indexOf(s) === i)
  .slice(0, 200)

const SHARD_SCHEMA = {
  type: 'object',
  required: ['relevant', 'answer', 'citations'],
  properties: {
    relevant: { type: 'boolean', description: 'false when this shard has nothing to do with the question' },
    answer: { type: 'string' },
    citations: { type: 'array', items: { type: 'string' } },
    openQuestions: { type: 'array', items: { type: 'string' } },
  },
}

phase('Survey')
log(`surveying ${shards.length} shard(s): ${question}`)
const reports = await parallel(
  shards.map((shard) => () =>
    agent(
      `Question: ${question}\n\nAnswer it ONLY for the code under ${shard}. Do not look elsewhere; other agents cover other shards.\n` +
        `If nothing under ${shard} is relevant, set relevant=false and keep the answer short. Cite file paths.`,
      { label: `shard:${shard}`, schema: SHARD_SCHEMA, model: 'haiku', effort: 'low', tools: ['Read', 'Grep', 'Glob'] },
    ),
  ),
)

const relevant = []
const irrelevant = []
const missing = []
reports.forEach((r, i) => {
  if (!r) missing.push(shards[i])
  else if (r.relevant) relevant.push({ shard: shards[i], ...r })
  else irrelevant.push(shards[i])
})
log(`${relevant.length} relevant, ${irrelevant.length} not relevant, ${missing.length} missing`)

if (relevant.length === 0) {
  return {
    question,
    answer: missing.length ? 'No shard produced a relevant answer (some shards failed; rerun to fill them in).' : 'Nothing in the surveyed shards is relevant to the question.',
    relevantShards: [],
    irrelevantShards: irrelevant,
    missingShards: missing,
  }
}

phase('Synthesize')
const dossier = relevant
  .map(
    (r) =>
      `## ${r.shard}\n${r.answer}\nCitations: ${r.citations.join(', ') || '(none)'}` +
      ((r.openQuestions ?? []).length ? `\nOpen questions: ${r.openQuestions.join('; ')}` : ''),
  )
  .join('\n\n')

const synthesis = await agent(
  `Several agents each answered the question below for one part of the repository.\n\nQuestion: ${question}\n\n${dossier}\n\n` +
    (missing.length ? `No report came back for: ${missing.join(', ')}. Say that the answer does not cover them.\n\n` : '') +
    `Write one answer for the whole repository: lead with the direct answer, then the details grouped by theme (not by shard), keeping citations.`,
  { label: 'synthesize', model: 'sonnet', effort: 'high' },
).catch((e) => {
  // Don't lose every shard report because the last step failed: fall back to the raw dossier.
  console.error(`synthesis failed: ${e?.message ?? e}`)
  return null
})

return {
  question,
  answer: typeof synthesis === 'string' && synthesis.trim() ? synthesis.trim() : dossier,
  synthesized: typeof synthesis === 'string' && synthesis.trim() !== '',
  relevantShards: relevant.map((r) => r.shard),
  irrelevantShards: irrelevant,
  missingShards: missing,
}
