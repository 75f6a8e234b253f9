/**
 * `npm run bench [-- --quick]`: builds the corpora with ../shared/tools/amplify.py (cached in .bench/),
 * then measures in the same run, for each corpus and layout (S3 log files, one NDJSON.gz):
 * - the floor (bench/floor.ts: gunzip + JSON.parse, one core, nothing else),
 * - `iamtrail policy` end to end (the built CLI, one principal) with --jobs 1 and --jobs 2,
 * with peak RSS for each; the latency to the first line of output for single recordings; and a CPU
 * profile of --jobs 1. Writes docs/benchmarks.md. A full run takes ~5 minutes once the corpora exist.
 * `--base <rev>` also builds that revision (git archive into .bench/base-<sha>) and times it against
 * this checkout at 290k events, in turns: how much slower or faster this work made iamtrail.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip, gzipSync } from 'node:zlib'
import { profileTable } from './profile-top.js'

const root = resolve(import.meta.dirname, '..')
const shared = join(root, '..', 'shared')
const amplify = join(shared, 'tools', 'amplify.py')
const source = join(shared, 'data', 'cloudtrail', 'invictus-aws-dataset', 'CloudTrail')
if (!existsSync(amplify) || !existsSync(source)) {
  console.error(`bench: ${amplify} or ${source} is missing; nothing to measure`)
  process.exit(1)
}
const quick = process.argv.includes('--quick')
const baseAt = process.argv.indexOf('--base')
const baseRev = baseAt > 0 ? process.argv[baseAt + 1] : undefined
const corpora = [{ name: '290k', replicas: 100 }, ...(quick ? [] : [{ name: '2.9M', replicas: 1000 }])]
const PRINCIPAL = 'arn:aws:iam::123837392027:user/bert-jan-p00'
const REPEATS = quick ? 1 : 3
const CLI = join(root, 'dist', 'cli', 'main.js')
const loadBefore = loadavg()

execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' })

interface Run {
  seconds: number
  peakMb: number
  stdout: string
}

/** One run under /usr/bin/time: wall time and peak RSS (of the whole process, worker threads included). */
function runOnce(cmd: string, args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  if (r.status !== 0 && r.status !== 2)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`)
  const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number]
  return { seconds: secs, peakMb: kb / 1024, stdout: r.stdout }
}

/**
 * Each command REPEATS times, taking turns (A B C A B C …) so that a busy spell of the machine hits
 * them alike; the best time of each, and the highest peak RSS of each.
 */
function measureInTurns(cmds: [string, string[]][]): Run[] {
  const best: (Run | undefined)[] = cmds.map(() => undefined)
  const peak = cmds.map(() => 0)
  for (let i = 0; i < REPEATS; i++) {
    cmds.forEach(([cmd, args], k) => {
      const run = runOnce(cmd, args)
      peak[k] = Math.max(peak[k]!, run.peakMb)
      if (!best[k] || run.seconds < best[k]!.seconds) best[k] = run
    })
  }
  return best.map((b, k) => ({ ...b!, peakMb: peak[k]! }))
}

const measure = (cmd: string, args: string[]): Run => measureInTurns([[cmd, args]])[0]!

const policyArgs = (path: string, jobs: number, extra: string[] = []) => [
  CLI,
  'policy',
  path,
  '--principal',
  PRINCIPAL,
  '-q',
  '-o',
  '/dev/null',
  '--force',
  '--jobs',
  String(jobs),
  ...extra,
]

function buildCorpus(name: string, replicas: number): string {
  const dir = join(root, '.bench', name)
  if (!existsSync(join(dir, 'all_events.ndjson.gz'))) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    console.error(`bench: building ${name} (${replicas} replicas) in ${dir}`)
    const args = [amplify, source, dir, '--replicas', String(replicas), '--principal-copies', '20']
    execFileSync('python3', [...args, '--ndjson', '--lookup-sample', '0'], { stdio: 'inherit' })
  }
  return dir
}

const fmt = (n: number) => Math.round(n).toLocaleString('en')
const rows: string[] = []
/** Peak RSS per corpus and run, to say whether memory grows with the events. */
const peaks: { corpus: string; layout: string; one: number; two: number }[] = []
const notes: string[] = []
for (const c of corpora) {
  const dir = buildCorpus(c.name, c.replicas)
  for (const layout of [
    { label: 'S3 layout', path: join(dir, 'AWSLogs') },
    { label: 'NDJSON.gz', path: join(dir, 'all_events.ndjson.gz') },
  ]) {
    const [floorRun, one, two] = measureInTurns([
      ['node', ['--import', 'tsx', 'bench/floor.ts', layout.path]],
      ['node', policyArgs(layout.path, 1)],
      ['node', policyArgs(layout.path, 2)],
    ]) as [Run, Run, Run]
    const floor = JSON.parse(floorRun.stdout) as { events: number; bytes: number; seconds: number }
    if (floor.events === 0) throw new Error(`bench: the floor read no events from ${layout.path}`)
    const eps = (s: number) => `${fmt(floor.events / s)} ev/s, ${fmt(floor.bytes / 1e6 / s)} MB/s`
    const line = [
      c.name,
      layout.label,
      fmt(floor.events),
      `${eps(floor.seconds)}, ${floorRun.peakMb.toFixed(0)} MB`,
      `${eps(one.seconds)}, ${one.peakMb.toFixed(0)} MB`,
      `${((floor.seconds / one.seconds) * 100).toFixed(0)}%`,
      `${eps(two.seconds)}, ${two.peakMb.toFixed(0)} MB`,
      `${(one.seconds / two.seconds).toFixed(2)}×`,
    ].join(' | ')
    console.log(`| ${line} |`)
    rows.push(`| ${line} |`)
    peaks.push({ corpus: c.name, layout: layout.label, one: one.peakMb, two: two.peakMb })
  }
}

/**
 * The machine's own scaling on this work: the floor of the S3 layout in two processes at once, each
 * on every other file. Wall time of both against one process on all files: the ceiling for --jobs 2.
 */
async function floorScaling(path: string): Promise<number> {
  const once = (args: string[]) =>
    new Promise<number>((res, rej) => {
      const t0 = performance.now()
      const child = spawn('node', ['--import', 'tsx', 'bench/floor.ts', path, ...args], {
        cwd: root,
        stdio: 'ignore',
      })
      child.on('error', rej)
      child.on('close', () => res(performance.now() - t0))
    })
  let best = 0
  for (let i = 0; i < REPEATS; i++) {
    const one = await once([])
    const two = Math.max(...(await Promise.all([once(['--part', '0/2']), once(['--part', '1/2'])])))
    best = Math.max(best, one / two)
  }
  return best
}
const scaling: string[] = []
for (const c of corpora) {
  const x = await floorScaling(join(root, '.bench', c.name, 'AWSLogs'))
  scaling.push(`${c.name}: ${x.toFixed(2)}×`)
}

/** A recording as `record` writes it, from the first `events` lines of the 290k corpus. */
async function benchRecording(events: number): Promise<string> {
  const dir = join(root, '.bench', `first-${events}.rec`)
  if (existsSync(join(dir, 'events.ndjson.gz'))) return dir
  mkdirSync(dir, { recursive: true })
  const lines: string[] = []
  const rl = createInterface({
    input: createReadStream(join(root, '.bench', '290k', 'all_events.ndjson.gz')).pipe(createGunzip()),
  })
  for await (const l of rl) {
    if (lines.length >= events) break
    if (l.trim()) lines.push(l)
  }
  rl.close()
  writeFileSync(join(dir, 'events.ndjson.gz'), gzipSync(`${lines.join('\n')}\n`))
  copyFileSync(join(root, 'examples', 'cfn-lambda-deploy.rec', 'manifest.json'), join(dir, 'manifest.json'))
  return dir
}

/** Milliseconds from spawning the CLI to the first line on its stdout; best of REPEATS. */
async function firstLineMs(args: string[]): Promise<number> {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now()
    const ms = await new Promise<number>((res, rej) => {
      const child = spawn('node', [CLI, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      let at: number | undefined
      child.stdout.on('data', (d: Buffer) => {
        if (at === undefined && d.includes(10)) at = performance.now() - t0
      })
      child.on('error', rej)
      child.on('close', () => (at === undefined ? rej(new Error(`no output: ${args.join(' ')}`)) : res(at)))
    })
    best = Math.min(best, ms)
  }
  return best
}

/** Distinct grants of the principal per corpus: what memory may grow with. */
const grants: { corpus: string; count: number }[] = []
for (const c of corpora) {
  const { usageFromInputs } = (await import(
    join(root, 'dist', 'pipeline.js')
  )) as typeof import('../src/pipeline.js')
  const { parsePrincipal } = (await import(
    join(root, 'dist', 'events', 'principal.js')
  )) as typeof import('../src/events/principal.js')
  const { FindingList } = (await import(
    join(root, 'dist', 'findings.js')
  )) as typeof import('../src/findings.js')
  const r = await usageFromInputs({
    inputs: [join(root, '.bench', c.name, 'all_events.ndjson.gz')],
    window: {},
    sink: new FindingList(),
    principal: parsePrincipal(PRINCIPAL),
    jobs: 1,
  })
  grants.push({ corpus: c.name, count: r.usage.grants.length })
}

function memoryGrowth(): string {
  const small = peaks.filter((p) => p.corpus === '290k')
  const big = peaks.filter((p) => p.corpus === '2.9M')
  if (!big.length) return 'Run without --quick to compare peak RSS across corpus sizes.'
  const growth = big.map((b) => {
    const s = small.find((x) => x.layout === b.layout)!
    return `${b.layout} ${(b.one - s.one).toFixed(0)} MB (--jobs 1) and ${(b.two - s.two).toFixed(0)} MB (--jobs 2)`
  })
  const g = grants.map((x) => `${x.count} at ${x.corpus}`).join(', ')
  return `From 290,000 to 2,900,000 events (10×) peak RSS changed by: ${growth.join('; ')}. Distinct grants of the principal: ${g}; where they are the same (amplify shifts days, not resources), the difference is the pace of the garbage collector over a longer run, not data kept.`
}

/** What every run pays before reading: node and the CLI's modules (`iamtrail --version`). */
const startup = measure('node', [CLI, '--version'])

const latency: string[] = []
const example = join(root, 'examples', 'cfn-lambda-deploy.rec')
latency.push(`| examples/cfn-lambda-deploy.rec | ${fmt(await firstLineMs(['policy', example]))} ms |`)
const rec = await benchRecording(29_000)
latency.push(
  `| 29,000 events (first lines of the 290k corpus), --principal | ${fmt(await firstLineMs(['policy', rec, '--principal', PRINCIPAL]))} ms |`,
)

/**
 * The CLI of another revision, built apart (its sources from git, this checkout's node_modules): the
 * "before" of a change, measured in the same run as the "after".
 */
function buildBase(rev: string): { sha: string; cli: string } {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: root, encoding: 'utf8' }).trim()
  const dir = join(root, '.bench', `base-${sha}`)
  const cli = join(dir, 'dist', 'cli', 'main.js')
  if (!existsSync(cli)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: root, stdio: 'inherit' })
    execFileSync('ln', ['-s', join(root, 'node_modules'), join(dir, 'node_modules')])
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' })
  }
  return { sha, cli }
}

const BASE_REPEATS = 7
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
/** Base and this checkout, --jobs 1, taking turns BASE_REPEATS times; medians, since both are noisy alike. */
function againstBase(rev: string): string {
  const { sha, cli } = buildBase(rev)
  const lines: string[] = []
  for (const layout of [
    { label: 'S3 layout', path: join(root, '.bench', '290k', 'AWSLogs') },
    { label: 'NDJSON.gz', path: join(root, '.bench', '290k', 'all_events.ndjson.gz') },
  ]) {
    const times: [number[], number[]] = [[], []]
    for (let i = 0; i < BASE_REPEATS; i++) {
      const args = policyArgs(layout.path, 1)
      times[0].push(runOnce('node', [cli, ...args.slice(1)]).seconds)
      times[1].push(runOnce('node', args).seconds)
    }
    const [b, h] = [median(times[0]), median(times[1])]
    lines.push(
      `| ${layout.label} | ${b.toFixed(2)} s | ${h.toFixed(2)} s | ${h > b ? '+' : ''}${(((h - b) / b) * 100).toFixed(1)}% |`,
    )
  }
  return `## Against ${sha}

\`npm run bench -- --base ${rev}\`: \`iamtrail policy\` on the 290k corpus, --jobs 1, revision ${sha} (built
from git into .bench/base-${sha}) and this checkout taking turns ${BASE_REPEATS} times; median wall time
(node's startup included). The amplified corpus repeats each call across its replicas (only the days
shift), as a deploy's polling repeats Describe calls: the mapping memo makes a repeat cheap, and a corpus
of all-distinct calls would gain less from it.

| layout | ${sha} | this checkout | change |
|---|---:|---:|---:|
${lines.join('\n')}
`
}
const baseSection = baseRev ? againstBase(baseRev) : ''

/** The CPU profile of --jobs 1 on the 290k corpus (main thread), top 10 by self time. */
function profile(label: string, path: string): string {
  const dir = join(root, '.bench', 'profile', label)
  rmSync(dir, { recursive: true, force: true })
  const t0 = performance.now()
  execFileSync('node', ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...policyArgs(path, 1)], { cwd: root })
  const wall = ((performance.now() - t0) / 1000).toFixed(2)
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!
  return `${label}, 290,000 events, --jobs 1 (${wall} s wall under the profiler):\n\n${profileTable(join(dir, file), 10)}`
}
const after = [
  profile('S3 layout', join(root, '.bench', '290k', 'AWSLogs')),
  profile('NDJSON.gz', join(root, '.bench', '290k', 'all_events.ndjson.gz')),
].join('\n\n')
const before = readFileSync(join(root, 'bench', 'profile-before.md'), 'utf8')

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1]
const loadAfter = loadavg()
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ')
if (loadBefore[0]! > 0.5 || loadAfter[0]! > 2.5)
  notes.push(
    `The machine was not idle (load average ${load(loadBefore)} before, ${load(loadAfter)} after, on ${cpus().length} cores): timings are noisy, speedups most.`,
  )

const doc = `# Benchmarks

\`npm run bench\` builds derived corpora from the real invictus events with \`../shared/tools/amplify.py\`
(20 copies of each principal, one day shift per replica; 290,000 events in 5,500 files and 2,900,000
events in 55,000 files, plus the same events as one NDJSON.gz) and measures, in the same run:

- **floor**: \`bench/floor.ts\` — gunzip + \`JSON.parse\` of the same files in Node, one core, nothing else
  (log files read whole and gunzipped in one call; NDJSON streamed in 1 MB chunks and parsed line by line),
  timed inside the process, so node's startup is not part of it;
- **iamtrail**: \`iamtrail policy <input> --principal ${PRINCIPAL} --jobs N\` end to end (the built CLI,
  node's startup included), with \`--jobs 1\` (one thread reads and reduces) and \`--jobs 2\` (two worker
  threads read and reduce files; the main thread lists them and merges the partial usages in order).

Throughput is events of the whole input per second of wall time and MB of JSON text per second (best of ${REPEATS},
the three programs taking turns); memory is the highest peak RSS of the process (all threads) over the runs. "of floor" is floor time / \`--jobs 1\` time;
"speedup" is \`--jobs 1\` time / \`--jobs 2\` time.

Machine: ${cpu ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
Measured on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load(loadBefore)} before and ${load(loadAfter)} after${process.env.BENCH_NOTE ? `; ${process.env.BENCH_NOTE}` : ''}.
${notes.map((n) => `\n**Note:** ${n}\n`).join('')}
| corpus | layout | events | floor (1 core) | iamtrail --jobs 1 | of floor | iamtrail --jobs 2 | speedup |
|---|---|---:|---|---|---:|---|---:|
${rows.join('\n')}

${baseSection}
## Reading the numbers

- iamtrail can beat the floor: with \`--principal\`, log files and NDJSON lines that do not contain the
  principal's name are skipped before \`JSON.parse\` (a whole file is skipped on its bytes, before it is even
  decoded to a string). Without \`--principal\` every event is parsed and the floor is the bound.
- The machine's own ceiling: the floor of the S3 layout run as two processes at once, each on every other
  file, is ${scaling.join(', ')} faster than one process on all of them (node startup included). Reading
  and gunzipping is bound by memory bandwidth and the shared caches as much as by the cores.
- \`--jobs 2\` splits *files* across two worker threads. A single NDJSON.gz is one file: it is read by one
  thread (gunzip already runs beside it on libuv's thread pool), so its speedup is ~1× by design. Split a
  large export into several files to use more cores.
- Memory is bounded by distinct grants, not events: the workers send back partial usages (grants with
  evidence), never events, and the main thread holds only a few slices ahead. Peak RSS is the Node runtime
  (the CLI is ~90 MB before it reads anything) and the garbage of reading; each worker has its own heap.
  ${memoryGrowth()}

## What holds it back

- Startup: \`iamtrail --version\` takes ${fmt(startup.seconds * 1000)} ms and ${startup.peakMb.toFixed(0)} MB here, paid by every run: the CLI
  loads node, commander and the command modules (the AWS SDK clients load only in the commands that
  call AWS: that took startup from 290 ms and 91 MB to this). At 290,000 events that is a sixth of the
  run, and each worker thread adds its own start (~50-100 ms: a fresh V8 isolate that loads the reader,
  the reducer and the Service Authorization Reference index) before it reads a file, which is why
  \`--jobs 2\` gains nothing at that size; from a few million events on it pays off.
- The machine: the floor itself gains only what the line on the machine's ceiling above says from a
  second core; \`--jobs 2\` cannot do better than that on the same work.
- One NDJSON.gz file is read by one thread (see above).

## Time to the first line of output, one recording

| recording | first line of \`iamtrail policy\` |
|---|---:|
${latency.join('\n')}

## Profile

Top 10 entries by self time of \`node --cpu-prof\` (main thread), before this work and now.

### Before (single thread, async reads per file, 16 KB gunzip chunks)

${before.replace(/^<!--[\s\S]*?-->\n\n/, '')}
### After

${after}
`
writeFileSync(join(root, 'docs', 'benchmarks.md'), doc)
console.error('bench: wrote docs/benchmarks.md')
