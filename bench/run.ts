/**
 * `npm run bench [-- --quick]`: builds the corpora with ../shared/tools/amplify.py (cached in
 * .bench/), then measures in the same run the floor (bench/floor.ts: gunzip + JSON.parse, one core)
 * and `iamtrail policy` end to end (the built CLI, one principal), with peak RSS for each, and
 * writes docs/benchmarks.md.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const shared = join(root, '..', 'shared')
const amplify = join(shared, 'tools', 'amplify.py')
const source = join(shared, 'data', 'cloudtrail', 'invictus-aws-dataset', 'CloudTrail')
if (!existsSync(amplify) || !existsSync(source)) {
  console.error(`bench: ${amplify} or ${source} is missing; nothing to measure`)
  process.exit(1)
}
const quick = process.argv.includes('--quick')
const corpora = [{ name: '290k', replicas: 100 }, ...(quick ? [] : [{ name: '2.9M', replicas: 1000 }])]
const PRINCIPAL = 'arn:aws:iam::123837392027:user/bert-jan-p00'
const REPEATS = quick ? 1 : 2

execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' })

interface Run {
  seconds: number
  peakMb: number
  stdout: string
}

/** Runs a command under /usr/bin/time for wall time and peak RSS; the best of REPEATS runs. */
function measure(cmd: string, args: string[]): Run {
  let best: Run | undefined
  for (let i = 0; i < REPEATS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    })
    if (r.status !== 0 && r.status !== 2)
      throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`)
    const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number]
    const run = { seconds: secs, peakMb: kb / 1024, stdout: r.stdout }
    if (!best || run.seconds < best.seconds) best = run
  }
  return best!
}

const rows: string[] = []
for (const c of corpora) {
  const dir = join(root, '.bench', c.name)
  if (!existsSync(join(dir, 'AWSLogs'))) {
    mkdirSync(dir, { recursive: true })
    console.error(`bench: building ${c.name} (${c.replicas} replicas) in ${dir}`)
    execFileSync(
      'python3',
      [
        amplify,
        source,
        dir,
        '--replicas',
        String(c.replicas),
        '--principal-copies',
        '20',
        '--ndjson',
        '--lookup-sample',
        '0',
      ],
      { stdio: 'inherit' },
    )
  }
  for (const layout of [
    { label: 'S3 layout', path: join(dir, 'AWSLogs') },
    { label: 'NDJSON.gz', path: join(dir, 'all_events.ndjson.gz') },
  ]) {
    const floor = measure('node', ['--import', 'tsx', 'bench/floor.ts', layout.path])
    const { events, bytes } = JSON.parse(floor.stdout) as { events: number; bytes: number }
    const tool = measure('node', [
      join(root, 'dist', 'cli', 'main.js'),
      'policy',
      layout.path,
      '--principal',
      PRINCIPAL,
      '-q',
      '-o',
      '/dev/null',
      '--force',
    ])
    const eps = (r: Run) => Math.round(events / r.seconds)
    const mbs = (r: Run) => (bytes / 1e6 / r.seconds).toFixed(0)
    const line = `| ${c.name} | ${layout.label} | ${events.toLocaleString('en')} | ${eps(floor).toLocaleString('en')} ev/s, ${mbs(floor)} MB/s, ${floor.peakMb.toFixed(0)} MB | ${eps(tool).toLocaleString('en')} ev/s, ${mbs(tool)} MB/s, ${tool.peakMb.toFixed(0)} MB | ${((floor.seconds / tool.seconds) * 100).toFixed(0)}% |`
    console.log(line)
    rows.push(line)
  }
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1] ?? 'unknown CPU'
const doc = `# Benchmarks

\`npm run bench\` builds derived corpora from the real invictus events with \`../shared/tools/amplify.py\`
(20 copies of each principal, one day shift per replica) and measures, in the same run:

- **floor**: \`bench/floor.ts\` — gunzip + \`JSON.parse\` of the same files in Node, one core, nothing else;
- **iamtrail**: \`iamtrail policy <input> --principal ${PRINCIPAL}\` end to end (the built CLI), one core.

Throughput is events of the whole input per second of wall time (best of ${REPEATS}); memory is peak RSS.
"of floor" is floor time / iamtrail time.

Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
Measured on ${new Date().toISOString().slice(0, 10)}${process.env.BENCH_NOTE ? `; ${process.env.BENCH_NOTE}` : ''}.

| corpus | layout | events | floor | iamtrail | of floor |
|---|---|---:|---|---|---:|
${rows.join('\n')}
`
writeFileSync(join(root, 'docs', 'benchmarks.md'), doc)
console.error('bench: wrote docs/benchmarks.md')
