export const meta = {
  name: 'find-dedupe-fix',
  description: 'Fan out finders over areas of the codebase, wait for all of them (barrier), merge and dedupe their findings, then fan out one fixer per unique finding.',
  whenToUse: 'Cross-cutting cleanups (lint classes, deprecated API uses, TODOs with owners) where several finders would otherwise report and fix the same thing twice.',
  phases: [
    { title: 'Find', detail: 'one finder per area, read-only' },
    { title: 'Dedupe', detail: 'merge by (file, rule), drop duplicates and low-confidence findings' },
    { title: 'Fix', detail: 'one fixer per unique finding, grouped by file so no two fixers edit the same file' },
  ],
}

// args: { areas?: string[], rule?: string, maxFixes?: number }
const input = args && typeof args === 'object' && !Array.isArray(args) ? args : {}
const areas = Array.isArray(input.areas) && input.areas.length ? input.areas.map(String) : ['src/cli', 'src/core', 'src/io', 'tests']
const rule =
  typeof input.rule === 'string' && input.rule
    ? input.rule
    : 'calls that can panic on user-controlled input (unwrap, expect, indexing without a bounds check)'
const MAX_FIXES = Number.isInteger(input.maxFixes) && input.maxFixes > 0 ? Math.min(input.maxFixes, 50) : 20

const FIND_SCHEMA = {
  type: 'object',
  required: ['findings'],
  properties: {
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'symbol', 'problem', 'confidence'],
        properties: {
          file: { type: 'string' },
          symbol: { type: 'string', description: 'function or item containing the problem' },
          problem: { type: 'string' },
          confidence: { type: 'string', enum: ['high', 'medium', 'low'] },
          suggestedFix: { type: ['string', 'null'] },
        },
      },
    },
  },
}

const FIX_SCHEMA = {
  type: 'object',
  required: ['outcome', 'details'],
  properties: {
    outcome: { type: 'string', enum: ['fixed', 'not-a-problem', 'could-not-fix'] },
    details: { type: 'string' },
    testsRun: { type: 'boolean' },
  },
}

phase('Find')
const perArea = await parallel(
  areas.map((area) => () =>
    agent(
      `Look only inside ${area}. Find every instance of: ${rule}.\n` +
        `Do not edit anything. For each instance give the file, the enclosing function, what is wrong, and your confidence.`,
      { label: `find:${area}`, schema: FIND_SCHEMA, model: 'haiku', tools: ['Read', 'Grep', 'Glob'] },
    ),
  ),
)
// --- barrier: every finder has answered (or failed) before anything is fixed ---

phase('Dedupe')
const failedAreas = areas.filter((_, i) => perArea[i] === null)
if (failedAreas.length) console.warn(`finders failed for: ${failedAreas.join(', ')}`)

const RANK = { high: 3, medium: 2, low: 1 }
const unique = new Map()
let raw = 0
perArea.forEach((res, i) => {
  for (const f of res?.findings ?? []) {
    raw++
    if (f.confidence === 'low') continue
    const key = `${String(f.file).trim()}::${String(f.symbol).trim()}`
    const prev = unique.get(key)
    if (!prev) unique.set(key, { ...f, key, areas: [areas[i]] })
    else {
      if (!prev.areas.includes(areas[i])) prev.areas.push(areas[i])
      if ((RANK[f.confidence] ?? 0) > (RANK[prev.confidence] ?? 0)) prev.confidence = f.confidence
      if (!prev.suggestedFix && f.suggestedFix) prev.suggestedFix = f.suggestedFix
    }
  }
})
const toFix = [...unique.values()].sort((a, b) => (RANK[b.confidence] ?? 0) - (RANK[a.confidence] ?? 0)).slice(0, MAX_FIXES)
log(`${raw} raw finding(s) -> ${unique.size} unique -> fixing ${toFix.length}`)

// Two fixers editing the same file at once would trample each other: one fixer per file, serial inside it.
const byFile = new Map()
for (const f of toFix) {
  if (!byFile.has(f.file)) byFile.set(f.file, [])
  byFile.get(f.file).push(f)
}

phase('Fix')
const fileResults = await parallel(
  [...byFile.entries()].map(([file, findings]) => async () => {
    const out = []
    for (const f of findings) {
      const r = await agent(
        `Fix this problem in ${file}, inside ${f.symbol}:\n${f.problem}\n` +
          (f.suggestedFix ? `A finder suggested: ${f.suggestedFix}\n` : '') +
          `Make the smallest change that removes the problem. If it is not actually a problem, change nothing and say why.`,
        { label: `fix:${f.key}`, schema: FIX_SCHEMA, model: 'sonnet', effort: 'medium' },
      )
      out.push({ key: f.key, file, symbol: f.symbol, outcome: r?.outcome ?? 'agent-failed', details: r?.details ?? null })
    }
    return out
  }),
)

const fixes = fileResults.flatMap((r) => r ?? [])
const tally = {}
for (const f of fixes) tally[f.outcome] = (tally[f.outcome] ?? 0) + 1

return {
  rule,
  areas,
  failedAreas,
  rawFindings: raw,
  uniqueFindings: unique.size,
  attempted: toFix.length,
  tally,
  fixes,
}
