export const meta = {
  name: 'two-voter-consensus',
  description: 'Two agents answer the same question independently; a third, stronger agent is hired only when the first two disagree.',
  whenToUse: 'A yes/no or pick-one question about the codebase where a single agent is right most of the time but you want a second opinion cheaply.',
  phases: [
    { title: 'Vote', detail: 'two independent voters, cheap model' },
    { title: 'Tiebreak', detail: 'only when the voters disagree' },
  ],
}

// args: { question: string, options?: string[] } or a plain string question.
const DEFAULT_QUESTION = 'Is the public API of this crate safe to call from multiple threads at once?'
const q = typeof args === 'string' ? { question: args } : args && typeof args === 'object' ? args : {}
const question = typeof q.question === 'string' && q.question.trim() ? q.question.trim() : DEFAULT_QUESTION
const options =
  Array.isArray(q.options) && new Set(q.options.map(String)).size >= 2 ? [...new Set(q.options.map(String))] : ['yes', 'no', 'unsure']

const VOTE_SCHEMA = {
  type: 'object',
  required: ['answer', 'reasoning', 'evidence'],
  properties: {
    answer: { type: 'string', enum: options },
    reasoning: { type: 'string' },
    evidence: {
      type: 'array',
      description: 'file:line references or command output that supports the answer',
      items: { type: 'string' },
    },
  },
}

function votePrompt(seat) {
  return (
    `Answer this question about the repository in your working directory:\n\n${question}\n\n` +
    `Choose exactly one of: ${options.join(', ')}.\n` +
    `Investigate before answering (read code, grep, run commands). ` +
    `Cite concrete evidence. You are voter ${seat}; another voter answers independently, so do not hedge toward a middle answer.`
  )
}

phase('Vote')
const [a, b] = await parallel([
  () => agent(votePrompt('A'), { label: 'voter-A', schema: VOTE_SCHEMA, model: 'haiku', effort: 'medium' }),
  () => agent(votePrompt('B'), { label: 'voter-B', schema: VOTE_SCHEMA, model: 'haiku', effort: 'medium' }),
])

const votes = [a, b].filter(Boolean)
log(`votes: ${votes.map((v) => v.answer).join(' / ') || '(none)'}`)

if (votes.length === 2 && a.answer === b.answer) {
  return {
    question,
    answer: a.answer,
    agreement: 'unanimous',
    votes: { A: a, B: b },
    tiebreak: null,
  }
}

phase('Tiebreak')
// Disagreement, or one voter never answered: hire a stronger judge who sees both arguments.
const shown = [
  ['A', a],
  ['B', b],
]
  .map(([seat, v]) =>
    v
      ? `Voter ${seat} answered "${v.answer}".\nReasoning: ${v.reasoning}\nEvidence:\n${(v.evidence ?? []).map((e) => `- ${e}`).join('\n') || '- (none given)'}`
      : `Voter ${seat} did not answer.`,
  )
  .join('\n\n')

const judge = await agent(
  `Two independent investigators ${votes.length === 2 ? 'disagreed' : 'could not both answer'} on this question:\n\n${question}\n\n${shown}\n\n` +
    `Check their evidence yourself in the repository. Decide which answer is right (one of: ${options.join(', ')}), ` +
    `and explain which piece of evidence settled it.`,
  {
    label: 'tiebreaker',
    model: 'sonnet',
    effort: 'high',
    schema: {
      type: 'object',
      required: ['answer', 'decidingEvidence'],
      properties: {
        answer: { type: 'string', enum: options },
        decidingEvidence: { type: 'string' },
        voterWasRight: { type: ['string', 'null'], enum: ['A', 'B', 'both', 'neither', null] },
      },
    },
  },
)

const fallback = votes.length === 1 ? votes[0].answer : null
return {
  question,
  answer: judge?.answer ?? fallback,
  agreement: votes.length === 2 ? 'split' : votes.length === 1 ? 'single-voter' : 'no-votes',
  votes: { A: a, B: b },
  tiebreak: judge,
}
