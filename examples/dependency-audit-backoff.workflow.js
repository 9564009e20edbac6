export const meta = {
  name: 'dependency-audit-backoff',
  description: 'Audit each dependency (maintenance, license, known advisories, how it is used here) with a cheap agent; agents that come back empty are retried with exponential backoff, a few at a time, under an overall soft deadline.',
  whenToUse: 'Periodic dependency hygiene on a project with many dependencies, against a provider that rate-limits bursts.',
  phases: [
    { title: 'Inventory', detail: 'one agent lists the direct dependencies unless args.packages is given' },
    { title: 'Audit', detail: 'one haiku agent per package, in waves of args.wave, with backoff retries' },
    { title: 'Report' },
  ],
}

// args: { packages?: string[], wave?: number, maxAttempts?: number, deadlineMs?: number }
const input = Array.isArray(args) ? { packages: args } : args && typeof args === 'object' ? args : {}
const WAVE = Math.min(16, Math.max(1, Number.isInteger(input.wave) ? input.wave : 4))
const MAX_ATTEMPTS = Math.min(5, Math.max(1, Number.isInteger(input.maxAttempts) ? input.maxAttempts : 3))
const DEADLINE_MS = Number.isFinite(input.deadlineMs) && input.deadlineMs > 0 ? input.deadlineMs : 20 * 60 * 1000
const BASE_DELAY_MS = 1500

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Deterministic value in [0, 1) from a string (FNV-1a), so resumed runs wait the same.
function jitter(text, salt) {
  let h = 2166136261
  for (const ch of `${text}#${salt}`) h = Math.imul(h ^ ch.codePointAt(0), 16777619)
  return (h >>> 0) / 4294967296
}

// Soft deadline: after it fires, no new audits start; running ones finish.
let timeUp = false
const deadline = setTimeout(() => {
  timeUp = true
  console.warn(`soft deadline of ${DEADLINE_MS} ms reached; not starting new audits`)
}, DEADLINE_MS)

let packages = Array.isArray(input.packages) ? input.packages.filter((p) => typeof p === 'string' && p.trim()).map((p) => p.trim()) : []

if (packages.length === 0) {
  phase('Inventory')
  const inv = await agent(
    'List the direct (not transitive) dependencies of the project in this directory. Look at Cargo.toml, package.json, pyproject.toml, go.mod, whichever exist. Names only.',
    {
      label: 'inventory',
      model: 'haiku',
      schema: {
        type: 'object',
        required: ['ecosystem', 'packages'],
        properties: {
          ecosystem: { type: 'string', enum: ['cargo', 'npm', 'pip', 'go', 'mixed', 'unknown'] },
          packages: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  )
  packages = (inv?.packages ?? []).filter((p) => typeof p === 'string' && p.trim())
}
packages = [...new Set(packages)].slice(0, 400)
log(`${packages.length} package(s) to audit, waves of ${WAVE}, up to ${MAX_ATTEMPTS} attempts each`)

const AUDIT_SCHEMA = {
  type: 'object',
  required: ['package', 'status', 'license', 'risk', 'notes'],
  properties: {
    package: { type: 'string' },
    status: { type: 'string', enum: ['maintained', 'slow', 'abandoned', 'unknown'] },
    license: { type: ['string', 'null'] },
    risk: { type: 'string', enum: ['none', 'low', 'medium', 'high'] },
    advisories: { type: 'array', items: { type: 'string' } },
    usedIn: { type: 'array', items: { type: 'string' }, description: 'files that import it' },
    notes: { type: 'string' },
  },
}

async function auditWithBackoff(pkg) {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (timeUp) return { package: pkg, outcome: 'skipped-deadline', attempts: attempt - 1 }
    const res = await agent(
      `Audit the dependency "${pkg}" as used by this project. Check the lock file for the version, grep for where it is used, ` +
        `and judge maintenance status, license, and known security advisories for that version. ` +
        `Say "unknown" rather than guessing.`,
      { label: `audit:${pkg}${attempt > 1 ? `:try${attempt}` : ''}`, phase: 'Audit', schema: AUDIT_SCHEMA, model: 'haiku', effort: 'low' },
    )
    if (res) return { ...res, package: pkg, outcome: 'audited', attempts: attempt }
    if (attempt < MAX_ATTEMPTS) {
      // Exponential backoff with jitter: 1.5 s, 3 s, 6 s ... (+ up to 50 %). The jitter comes from the
      // package name rather than a random source, so the script also runs unchanged on Claude Code's runtime.
      const delay = BASE_DELAY_MS * 2 ** (attempt - 1) * (1 + jitter(pkg, attempt) / 2)
      log(`${pkg}: attempt ${attempt} came back empty, retrying in ${Math.round(delay)} ms`)
      await sleep(delay)
    }
  }
  return { package: pkg, outcome: 'failed', attempts: MAX_ATTEMPTS }
}

phase('Audit')
const results = []
for (let i = 0; i < packages.length; i += WAVE) {
  if (timeUp) {
    for (const pkg of packages.slice(i)) results.push({ package: pkg, outcome: 'skipped-deadline', attempts: 0 })
    break
  }
  const wave = packages.slice(i, i + WAVE)
  const got = await parallel(wave.map((pkg) => () => auditWithBackoff(pkg)))
  got.forEach((r, j) => results.push(r ?? { package: wave[j], outcome: 'failed', attempts: 0 }))
}
clearTimeout(deadline)

phase('Report')
const RISK = { high: 0, medium: 1, low: 2, none: 3 }
const audited = results.filter((r) => r.outcome === 'audited').sort((a, b) => (RISK[a.risk] ?? 4) - (RISK[b.risk] ?? 4))
const attention = audited.filter((r) => r.risk === 'high' || r.risk === 'medium' || r.status === 'abandoned')
const licenses = {}
for (const r of audited) {
  const l = r.license || 'unknown'
  licenses[l] = (licenses[l] ?? 0) + 1
}

return {
  total: packages.length,
  audited: audited.length,
  retried: results.filter((r) => r.attempts > 1).length,
  failed: results.filter((r) => r.outcome === 'failed').map((r) => r.package),
  skipped: results.filter((r) => r.outcome === 'skipped-deadline').map((r) => r.package),
  needsAttention: attention.map((r) => ({ package: r.package, status: r.status, risk: r.risk, advisories: r.advisories ?? [], notes: r.notes })),
  licenses,
}
