export const meta = {
  name: 'deep-research',
  description: 'Research a question on the web: search from several angles, read the sources, extract claims with their sources, cross-check every claim with independent voters, and write a cited report that lists the claims it dropped.',
  whenToUse: 'A factual question whose answer is spread over several web pages and where a single agent would trust the first page it finds. Needs WebSearch (a search backend) and WebFetch.',
  phases: [
    { title: 'Search', detail: 'one agent per angle finds sources with WebSearch' },
    { title: 'Read', detail: 'one agent per source reads it with WebFetch and extracts claims with quotes' },
    { title: 'Merge', detail: 'the same claim from several sources becomes one claim citing them all' },
    { title: 'Cross-check', detail: 'independent voters judge each claim against the sources' },
    { title: 'Report', detail: 'a cited report of the kept claims; the dropped ones listed' },
  ],
}

// args: { question: string, angles?: string[], depth?: 1 | 2 | 3 } or a plain string question.
// depth: 1 quick (few sources, 3 voters), 2 standard, 3 thorough (more sources, 5 voters).
const input = typeof args === 'string' ? { question: args } : args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const question = typeof input.question === 'string' ? input.question.trim() : ''
if (!question) {
  throw new Error('deep-research needs a question: --args \'{"question": "Why are there two tides a day?"}\'')
}
const depth = [1, 2, 3].includes(Number(input.depth)) ? Number(input.depth) : 2
const SOURCES_PER_ANGLE = [0, 2, 4, 6][depth]
const MAX_SOURCES = [0, 6, 12, 20][depth]
const MAX_CLAIMS = [0, 8, 16, 24][depth]
const VOTERS = depth === 3 ? 5 : 3
const angles =
  Array.isArray(input.angles) && input.angles.length
    ? input.angles.slice(0, 8).map(String)
    : ['background and definitions', 'current evidence and data', 'criticism, limitations and counter-evidence']

const SOURCES_SCHEMA = {
  type: 'object',
  required: ['sources'],
  properties: {
    sources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url', 'title'],
        properties: {
          url: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          why: { type: 'string', description: 'what this source should add' },
        },
      },
    },
  },
}

const CLAIMS_SCHEMA = {
  type: 'object',
  required: ['claims'],
  properties: {
    claims: {
      type: 'array',
      items: {
        type: 'object',
        required: ['claim', 'quote'],
        properties: {
          claim: { type: 'string', description: 'one checkable statement, in your words' },
          quote: { type: 'string', description: 'the words of the page that state it, verbatim' },
        },
      },
    },
  },
}

// Sources are cited by number; the schemas are built once the numbers are known.
const sourceNumbers = (count, description) => ({
  type: 'array',
  items: { type: 'integer', minimum: 1, maximum: count },
  description,
})
const mergedSchema = (count) => ({
  type: 'object',
  required: ['claims'],
  properties: {
    claims: {
      type: 'array',
      items: {
        type: 'object',
        required: ['claim', 'sources'],
        properties: {
          claim: { type: 'string' },
          sources: sourceNumbers(count, 'numbers of the sources that state it'),
        },
      },
    },
  },
})
const voteSchema = (count) => ({
  type: 'object',
  required: ['verdict', 'sources', 'reason'],
  properties: {
    verdict: { type: 'string', enum: ['supported', 'refuted', 'unsupported'] },
    sources: sourceNumbers(count, 'numbers of the sources that support the claim'),
    reason: { type: 'string' },
  },
})

phase('Search')
const found = await parallel(
  angles.map((angle) => () =>
    agent(
      `Research question: ${question}\nYour angle: ${angle}\n\n` +
        `Use WebSearch (try two or three phrasings) to find up to ${SOURCES_PER_ANGLE} sources that bear on the question from this angle. ` +
        `Prefer primary and reputable sources; skip ads, forums and pages that only repeat others. ` +
        `Answer with each source's exact URL as the search gave it.`,
      { label: `search:${angle}`, schema: SOURCES_SCHEMA, tools: ['WebSearch'], maxTurns: 8 },
    ),
  ),
)

// One entry per URL, in the order the angles found them.
const sources = []
for (const result of found) {
  for (const s of result?.sources?.slice(0, SOURCES_PER_ANGLE) ?? []) {
    const url = String(s.url ?? '').trim()
    if (/^https?:\/\//.test(url) && !sources.some((known) => known.url === url) && sources.length < MAX_SOURCES) {
      sources.push({ n: sources.length + 1, url, title: String(s.title ?? url) })
    }
  }
}
log(`${sources.length} sources from ${found.filter(Boolean).length}/${angles.length} angles`)
if (!sources.length) {
  return { question, report: null, claims: [], dropped: [], sources: [], note: 'No sources were found; is a search backend configured?' }
}

phase('Read')
const readings = await parallel(
  sources.map((source) => () =>
    agent(
      `Research question: ${question}\n\nRead ${source.url} with WebFetch. ` +
        `Extract up to 6 factual claims from it that bear on the question, each with the sentence of the page that states it, verbatim. ` +
        `Only what the page itself says: no claims of your own. If the page cannot be read or says nothing relevant, answer with no claims.`,
      { label: `read:${source.n}`, schema: CLAIMS_SCHEMA, tools: ['WebFetch'], maxTurns: 6 },
    ),
  ),
)
sources.forEach((source, i) => {
  source.claims = readings[i]?.claims ?? []
})
const read = sources.filter((s) => s.claims.length)
log(`${read.length}/${sources.length} sources gave claims`)
if (!read.length) {
  return { question, report: null, claims: [], dropped: [], sources: sources.map(({ n, url, title }) => ({ n, url, title })), note: 'No source could be read.' }
}

// The sources with their quotes, as every later agent sees them.
const dossier = read
  .map((s) => `[S${s.n}] ${s.title} — ${s.url}\n` + s.claims.map((c) => `  - ${c.claim} ("${c.quote}")`).join('\n'))
  .join('\n\n')
const byNumber = (numbers) => [...new Set((numbers ?? []).map(Number))].filter((n) => read.some((s) => s.n === n))

phase('Merge')
const merged = await agent(
  `Research question: ${question}\n\nClaims extracted from the sources below. Merge claims that say the same thing into one claim ` +
    `that cites every source stating it (by number). Keep claims that contradict each other as separate claims. ` +
    `Keep at most ${MAX_CLAIMS} claims, the ones that matter most for the question.\n\n${dossier}`,
  { label: 'merge', schema: mergedSchema(sources.length), tools: [] },
)
// Without a merge, each extracted claim stands alone with its own source.
const claims = (merged?.claims ?? read.flatMap((s) => s.claims.map((c) => ({ claim: c.claim, sources: [s.n] }))))
  .map((c) => ({ claim: String(c.claim ?? '').trim(), sources: byNumber(c.sources) }))
  .filter((c) => c.claim && c.sources.length)
  .slice(0, MAX_CLAIMS)

phase('Cross-check')
const ballots = await parallel(
  claims.flatMap((c, i) =>
    Array.from({ length: VOTERS }, (_, v) => () =>
      agent(
        `Research question: ${question}\n\nClaim to check: ${c.claim}\n` +
          `It was extracted from source(s) ${c.sources.map((n) => `S${n}`).join(', ')}.\n\n` +
          `Judge the claim against the sources below (WebFetch a source's URL when its quotes are not enough). ` +
          `"supported": the sources state it and no reliable source contradicts it; "refuted": a reliable source contradicts it ` +
          `or it misreads its source; "unsupported": neither. List the numbers of the sources that support it.\n\n${dossier}`,
        { label: `check:${i + 1}:${v + 1}`, schema: voteSchema(sources.length), tools: ['WebFetch'], maxTurns: 6 },
      ),
    ),
  ),
)

const kept = []
const dropped = []
claims.forEach((c, i) => {
  const votes = ballots.slice(i * VOTERS, (i + 1) * VOTERS)
  const tally = { supported: 0, refuted: 0, unsupported: 0, missing: 0 }
  for (const vote of votes) tally[vote?.verdict ?? 'missing'] += 1
  // A claim stays only on a majority of all voters: a voter that failed does not count for it.
  if (tally.supported > VOTERS / 2) {
    const backing = votes.filter((v) => v?.verdict === 'supported').flatMap((v) => v.sources)
    kept.push({ claim: c.claim, sources: byNumber([...c.sources, ...backing]), votes: tally })
  } else {
    const reason = tally.refuted > VOTERS / 2 ? 'refuted' : tally.refuted > 0 ? 'disputed' : 'not supported by a majority'
    const why = votes.filter((v) => v && v.verdict !== 'supported').map((v) => v.reason)[0] ?? ''
    dropped.push({ claim: c.claim, reason, why, sources: byNumber(c.sources), votes: tally })
  }
})
log(`${kept.length} claims kept, ${dropped.length} dropped`)

// Citations are numbered over the sources the kept claims use, in order of first use.
const cited = []
for (const c of kept) {
  c.citations = c.sources.map((n) => {
    if (!cited.includes(n)) cited.push(n)
    return cited.indexOf(n) + 1
  })
}
const sourceOf = (n) => read.find((s) => s.n === n)
const references = cited.map((n, i) => ({ n: i + 1, url: sourceOf(n).url, title: sourceOf(n).title }))

phase('Report')
const body = kept.length
  ? await agent(
      `Write a short research report in Markdown answering: ${question}\n\n` +
        `Use only these checked claims. After every sentence that uses a claim, cite its sources as [n]. ` +
        `Say plainly where the claims leave the question open. Do not add a source list; it is appended for you.\n\n` +
        kept.map((c) => `- ${c.claim} ${c.citations.map((n) => `[${n}]`).join('')}`).join('\n'),
      { label: 'report', tools: [] },
    )
  : null
const findings =
  typeof body === 'string' && body.trim()
    ? body.trim()
    : kept.length
      ? kept.map((c) => `- ${c.claim} ${c.citations.map((n) => `[${n}]`).join('')}`).join('\n')
      : 'No claim survived the cross-check; the question stays open.'

const report =
  `# ${question}\n\n${findings}\n\n## Sources\n\n` +
  (references.length ? references.map((r) => `[${r.n}] ${r.title} — ${r.url}`).join('\n') : '(none)') +
  `\n\n## Dropped claims\n\n` +
  (dropped.length
    ? dropped.map((d) => `- ${d.claim} — ${d.reason} (${d.votes.supported} of ${VOTERS} voters supported it)`).join('\n')
    : '(none)') +
  '\n'

return {
  question,
  report,
  claims: kept.map((c) => ({ claim: c.claim, sources: c.sources.map((n) => sourceOf(n).url), citations: c.citations, votes: c.votes })),
  dropped: dropped.map((d) => ({ claim: d.claim, reason: d.reason, why: d.why, sources: d.sources.map((n) => sourceOf(n).url), votes: d.votes })),
  sources: references,
}
