export const meta = {
  name: 'research-angles-judge',
  description: 'Investigate one research question from several deliberately different angles (advocate, skeptic, prior art, cost, failure modes), then have a judge weigh the briefs and give a calibrated answer.',
  whenToUse: 'Design questions such as "should we switch from X to Y?" where a single agent tends to anchor on its first idea.',
  phases: [
    { title: 'Investigate', detail: 'one agent per angle, independent' },
    { title: 'Judge', detail: 'one strong agent weighs every brief' },
  ],
}

// args: { question: string, angles?: string[], context?: string } or a plain string question.
const input = typeof args === 'string' ? { question: args } : args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const question =
  typeof input.question === 'string' && input.question.trim()
    ? input.question.trim()
    : 'Should this project replace its hand-written argument parser with a library?'
const context = typeof input.context === 'string' ? input.context : ''

const DEFAULT_ANGLES = [
  { key: 'advocate', brief: 'Build the strongest honest case FOR the change. Find concrete benefits in this codebase.' },
  { key: 'skeptic', brief: 'Build the strongest honest case AGAINST. Find what would break or get worse.' },
  { key: 'prior-art', brief: 'How have similar projects handled this? What does the code history (git log) say about earlier attempts?' },
  { key: 'cost', brief: 'Estimate the work: files touched, tests to change, migration risk. Count, do not guess.' },
  { key: 'failure-modes', brief: 'Assume the change ships and goes wrong six months later. What is the most likely reason?' },
]
const angles =
  Array.isArray(input.angles) && input.angles.length
    ? input.angles.slice(0, 8).map((a, i) => ({ key: `angle-${i + 1}`, brief: String(a) }))
    : DEFAULT_ANGLES

const BRIEF_SCHEMA = {
  type: 'object',
  required: ['position', 'strength', 'keyPoints', 'evidence'],
  properties: {
    position: { type: 'string', enum: ['for', 'against', 'neutral'] },
    strength: { type: 'integer', minimum: 1, maximum: 5, description: 'how strongly the evidence supports the position' },
    keyPoints: { type: 'array', items: { type: 'string' } },
    evidence: { type: 'array', items: { type: 'string' } },
    surprises: { type: ['string', 'null'] },
  },
}

const VERDICT_SCHEMA = {
  type: 'object',
  required: ['answer', 'confidence', 'rationale', 'decisiveAngles', 'nextSteps'],
  properties: {
    answer: { type: 'string', enum: ['yes', 'no', 'it-depends', 'need-more-information'] },
    confidence: { type: 'string', enum: ['low', 'medium', 'high'] },
    rationale: { type: 'string' },
    decisiveAngles: { type: 'array', items: { type: 'string' } },
    conditions: { type: 'array', items: { type: 'string' }, description: 'for it-depends: what it depends on' },
    nextSteps: { type: 'array', items: { type: 'string' } },
  },
}

phase('Investigate')
const briefs = await parallel(
  angles.map((angle) => () =>
    agent(
      `Research question: ${question}\n${context ? `Context: ${context}\n` : ''}\n` +
        `Your angle (${angle.key}): ${angle.brief}\n\n` +
        `Work from the repository in front of you: read code, run read-only commands. ` +
        `Stick to your angle even if you personally disagree; a judge will weigh all angles together.`,
      { label: `angle:${angle.key}`, schema: BRIEF_SCHEMA, model: 'sonnet', effort: 'medium' },
    ),
  ),
)

const got = angles.map((a, i) => ({ angle: a.key, brief: briefs[i] })).filter((x) => x.brief)
const lean = { for: 0, against: 0, neutral: 0 }
for (const { brief } of got) {
  const s = Math.min(5, Math.max(1, Number(brief.strength) || 1))
  lean[brief.position] = (lean[brief.position] ?? 0) + s
}
log(`${got.length}/${angles.length} briefs; weighted lean ${JSON.stringify(lean)}`)

if (got.length < 2) {
  return {
    question,
    verdict: null,
    note: `Only ${got.length} of ${angles.length} angles produced a brief; not enough for a judgment.`,
    briefs: got,
  }
}

phase('Judge')
const dossier = got
  .map(
    ({ angle, brief }) =>
      `### ${angle} (position: ${brief.position}, strength ${brief.strength}/5)\n` +
      brief.keyPoints.map((p) => `- ${p}`).join('\n') +
      `\nEvidence: ${brief.evidence.join('; ') || 'none cited'}` +
      (brief.surprises ? `\nSurprise: ${brief.surprises}` : ''),
  )
  .join('\n\n')

const verdict = await agent(
  `You are the judge. Question: ${question}\n\nBriefs from investigators who each argued one angle:\n\n${dossier}\n\n` +
    `Weigh evidence, not eloquence: a claim with a file reference beats one without. ` +
    `Spot-check the one or two claims your answer hinges on. Give a calibrated answer.`,
  { label: 'judge', schema: VERDICT_SCHEMA, model: 'opus', effort: 'high' },
).catch((e) => {
  // e.g. the structured-output retry cap: keep the briefs, report no verdict.
  console.error(`judge failed: ${e?.message ?? e}`)
  return null
})

return {
  question,
  verdict,
  lean,
  anglesAnswered: got.map((g) => g.angle),
  anglesMissing: angles.filter((_, i) => !briefs[i]).map((a) => a.key),
}
