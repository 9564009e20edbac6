export const meta = {
  name: 'draft-critique-revise',
  description: 'A writer drafts a design note, a critic grades it against a checklist, the writer revises; repeat until the critic accepts or 4 rounds pass. Returns the best draft seen, not merely the last.',
  whenToUse: 'Producing a design doc, RFC section or migration guide that has to meet a checklist.',
  phases: [
    { title: 'Draft' },
    { title: 'Critique', detail: 'checklist-based, enum verdict' },
    { title: 'Revise', detail: 'at most 3 revisions' },
  ],
}

// args: { topic?: string, checklist?: string[], maxRounds?: number } or a plain string topic.
const input = typeof args === 'string' ? { topic: args } : args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const topic = typeof input.topic === 'string' && input.topic ? input.topic : 'How the run journal survives a crash, and what resume guarantees'
const checklist =
  Array.isArray(input.checklist) && input.checklist.length
    ? input.checklist.map(String)
    : [
        'states the problem in the first paragraph',
        'every claim about the code names the file or function',
        'lists at least one alternative that was rejected, and why',
        'has a section on failure modes',
        'under 800 words',
      ]
const MAX_ROUNDS = Math.min(6, Math.max(1, Number.isInteger(input.maxRounds) ? input.maxRounds : 4))

const CRITIQUE_SCHEMA = {
  type: 'object',
  required: ['verdict', 'checklist', 'topFixes'],
  properties: {
    verdict: { type: 'string', enum: ['accept', 'revise', 'rewrite'] },
    checklist: {
      type: 'array',
      items: {
        type: 'object',
        required: ['item', 'met'],
        properties: { item: { type: 'string' }, met: { type: 'boolean' }, comment: { type: ['string', 'null'] } },
      },
    },
    topFixes: { type: 'array', items: { type: 'string' } },
  },
}

phase('Draft')
let draft = await agent(
  `Write a design note about: ${topic}\n\nRead the code first; ground every claim in it. It must satisfy:\n` +
    checklist.map((c) => `- ${c}`).join('\n') +
    `\n\nReply with the note in markdown and nothing else.`,
  { label: 'draft', model: 'sonnet', effort: 'high' },
)
if (typeof draft !== 'string' || !draft.trim()) {
  return { topic, accepted: false, rounds: 0, note: 'the writer produced no draft', draft: null }
}

let best = { draft, met: -1, round: 0 }
const history = []
let accepted = false
let round = 0

while (round < MAX_ROUNDS) {
  round++
  phase('Critique')
  const critique = await agent(
    `Grade this design note against the checklist. Be strict: "met" only if a reader would agree without squinting.\n\n` +
      `Checklist:\n${checklist.map((c) => `- ${c}`).join('\n')}\n\n---\n${draft}\n---\n\n` +
      `verdict: accept (all met), revise (fixable), rewrite (wrong approach). topFixes: the 1-3 changes that matter most.`,
    { label: `critique:r${round}`, schema: CRITIQUE_SCHEMA, model: 'haiku' },
  )
  if (!critique) {
    history.push({ round, verdict: null })
    log(`round ${round}: critic gave no answer`)
    break
  }
  const met = critique.checklist.filter((c) => c.met).length
  history.push({ round, verdict: critique.verdict, met, of: checklist.length })
  if (met > best.met) best = { draft, met, round }
  if (critique.verdict === 'accept') {
    accepted = true
    best = { draft, met, round }
    break
  }
  if (round === MAX_ROUNDS) break

  phase('Revise')
  const unmet = critique.checklist.filter((c) => !c.met).map((c) => `- ${c.item}${c.comment ? `: ${c.comment}` : ''}`)
  const revised = await agent(
    `Revise this design note. ${critique.verdict === 'rewrite' ? 'The critic wants a rewrite: restructure, do not patch.' : 'Keep what works.'}\n\n` +
      `Most important fixes:\n${critique.topFixes.map((f) => `- ${f}`).join('\n') || '- (none given)'}\n` +
      (unmet.length ? `Unmet checklist items:\n${unmet.join('\n')}\n` : '') +
      `\n---\n${draft}\n---\n\nReply with the full revised note in markdown and nothing else.`,
    { label: `revise:r${round}`, model: 'sonnet' },
  )
  if (typeof revised !== 'string' || !revised.trim()) {
    log(`round ${round}: reviser gave no answer; keeping the current draft`)
    break
  }
  draft = revised
}

return {
  topic,
  accepted,
  rounds: round,
  bestRound: best.round,
  checklistMet: best.met < 0 ? null : `${best.met}/${checklist.length}`,
  history,
  draft: best.draft,
}
