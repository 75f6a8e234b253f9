import { type Command, Option } from 'commander'
import { awsFailureError } from '../../aws/aws-errors.js'
import type { AwsClientOptions } from '../../aws/sdk-config.js'
import { systemClock } from '../../collect/clock.js'
import { withGlobalRegion } from '../../collect/lookup/collect-lookup.js'
import { createCloudTrailLookup } from '../../collect/lookup/lookup-port.js'
import { type LookupRecordingResult, recordLookup } from '../../collect/lookup/lookup-recording.js'
import { RegionLimiters } from '../../collect/lookup/rate-limiter.js'
import { readManifest, readRecordingEvents } from '../../collect/recording.js'
import { EXIT, IamtrailError } from '../../errors.js'
import { type PrincipalSelector, principalFromManifest, principalText } from '../../events/principal.js'
import { FindingList } from '../../findings.js'
import { IdentityGraph } from '../../identity/graph.js'
import { terminalSafe } from '../../render/escape.js'
import { abortOnInterrupt } from '../interrupt.js'
import { checkOutput } from '../output.js'
import { parseDuration, parseRegions, parseSelector, parseTime } from '../parse-options.js'
import { createProgress } from '../progress.js'

export interface CollectOptions {
  source: string
  principal?: string
  accessKeyId?: string
  start?: string
  end?: string
  regions?: string
  name: string
  output?: string
  resume?: string
  settle: string
  maxWait: string
  profile?: string
  region?: string
  format: string
  force: boolean
  quiet: boolean
  [option: string]: unknown
}

/**
 * A source of CloudTrail events for `collect`. Sources register here by name (`lookup` below;
 * `athena` adds itself with its own options), so `--source` validation and help follow the map.
 */
export interface CollectSource {
  description: string
  run(opts: CollectOptions): Promise<void>
}

/** LookupEvents covers the last 90 days of management events. */
const LOOKUP_HISTORY_MS = 90 * 24 * 3_600_000

export const COLLECT_SOURCES = new Map<string, CollectSource>()

COLLECT_SOURCES.set('lookup', {
  description: 'CloudTrail LookupEvents: management events of the last 90 days, per region',
  run: collectWithLookup,
})

export function registerCollect(program: Command): Command {
  return program
    .command('collect')
    .description('Collect a principal’s CloudTrail events for a time window into a recording')
    .addOption(new Option('-s, --source <source>', 'where to read events (sources below)').default('lookup'))
    .option('-p, --principal <arn>', 'IAM user, role (all its sessions), assumed-role session or root ARN')
    .option('--access-key-id <id>', 'only the calls signed with this access key')
    .option('--start <time>', 'window start, ISO-8601 UTC (e.g. 2026-11-20T10:00Z)')
    .option('--end <time>', 'window end, ISO-8601 UTC (default: now)')
    .option('--regions <list>', 'comma-separated regions; us-east-1 (global services) is always added')
    .option('-n, --name <name>', 'label of the recording (deploy, update, teardown, …)', 'collect')
    .option('-o, --output <dir>', 'recording to write (default: <name>.rec)')
    .option('--resume <recording>', 'top up an existing recording (same principal, window, regions)')
    .option('--settle <duration>', 'stop once no new events arrived for this long', '5m')
    .option('--max-wait <duration>', 'stop waiting for delivery after this long', '20m')
    .option('--profile <profile>', 'AWS profile (as in the AWS CLI)')
    .option('--region <region>', 'default AWS region for the SDK (as in the AWS CLI)')
    .option('-f, --format <format>', 'what to print on stdout: path | json (the manifest)', 'path')
    .option('--force', 'replace --output if it exists', false)
    .option('-q, --quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail collect --principal arn:aws:iam::123456789012:role/deployer \\
      --start 2026-11-20T10:00Z --end 2026-11-20T10:40Z --regions eu-west-1 -o deploy.rec
  $ iamtrail collect --resume deploy.rec          # top up a recording saved incomplete
  $ iamtrail policy deploy.rec

Needs cloudtrail:LookupEvents (docs/permissions.md). Exit codes: 0 complete; 1 usage or credentials;
2 saved but possibly incomplete (a region failed); 130 interrupted (saved, resumable).`,
    )
    .addHelpText('after', () =>
      ['\nSources:', ...[...COLLECT_SOURCES].map(([name, s]) => `  ${name.padEnd(8)} ${s.description}`)].join(
        '\n',
      ),
    )
    .action(async (opts: CollectOptions) => {
      if (opts.format !== 'path' && opts.format !== 'json') {
        throw new IamtrailError(`--format ${JSON.stringify(opts.format)}: choose path or json`)
      }
      const source = COLLECT_SOURCES.get(opts.source)
      if (!source) {
        throw new IamtrailError(
          `--source ${JSON.stringify(opts.source)}: choose one of ${[...COLLECT_SOURCES.keys()].join(', ')}`,
        )
      }
      await source.run(opts)
    })
}

/** The principal and window every source needs, checked before any request. */
export function whoAndWhen(opts: CollectOptions): {
  principal: PrincipalSelector
  window: { start: Date; end: Date }
} {
  const principal = parseSelector(opts.principal, opts.accessKeyId)
  if (!principal) throw new IamtrailError('collect needs --principal <arn> or --access-key-id <id>')
  if (!opts.start) throw new IamtrailError('collect needs --start (and --end, default now)')
  const window = {
    start: parseTime(opts.start, '--start'),
    end: opts.end ? parseTime(opts.end, '--end') : new Date(),
  }
  if (window.start >= window.end) throw new IamtrailError('--start must be before --end')
  return { principal, window }
}

async function collectWithLookup(opts: CollectOptions): Promise<void> {
  if (opts.resume) return resumeLookup(opts)
  const { principal, window } = whoAndWhen(opts)
  const oldest = Date.now() - LOOKUP_HISTORY_MS
  if (window.end.getTime() < oldest) {
    throw new IamtrailError(
      'LookupEvents keeps the last 90 days only; for older windows read the trail’s logs (iamtrail policy ./AWSLogs …)',
    )
  }
  if (window.start.getTime() < oldest && !opts.quiet) {
    process.stderr.write('iamtrail: warning: LookupEvents keeps 90 days; the start of the window is older\n')
  }
  const path = opts.output ?? `${opts.name}.rec`
  await checkOutput(path, opts.force)
  const regions = parseRegions(opts.regions ?? opts.region ?? process.env.AWS_REGION)
  if (regions.length === 0) {
    process.stderr.write(
      'iamtrail: warning: no --regions, --region or AWS_REGION: only us-east-1 (global services) is collected\n',
    )
  }
  await runLookupRecording(opts, { path, name: opts.name, principal, window, regions, force: opts.force })
}

async function resumeLookup(opts: CollectOptions): Promise<void> {
  const path = opts.resume as string
  const manifest = await readManifest(path)
  if (!manifest.sources.includes('lookup')) {
    throw new IamtrailError(`${path} was not collected with --source lookup; it cannot be resumed with it`)
  }
  const findings = new FindingList()
  const seed = await readRecordingEvents(path, findings)
  if (findings.hasErrors()) {
    throw new IamtrailError(
      `${path}: events.ndjson.gz is damaged (${findings.items[0]?.detail}); not resuming`,
    )
  }
  const attribute = manifest.lookup?.attribute
  // A recording of an identity graph is asked again from its roots, following again.
  const roots = manifest.identities?.roots.map(principalFromManifest)
  const graph =
    roots && manifest.identities ? new IdentityGraph(roots, manifest.identities.follow) : undefined
  await runLookupRecording(opts, {
    path,
    name: manifest.name,
    label: manifest.principal,
    principal: roots?.[0] ?? principalFromManifest(manifest.principal),
    ...(graph ? { graph } : {}),
    ...(manifest.credentials ? { credentials: () => manifest.credentials! } : {}),
    ...(attribute?.key === 'AccessKeyId' ? { accessKeyId: attribute.value } : {}),
    window: { start: new Date(manifest.window.start), end: new Date(manifest.window.end) },
    regions: manifest.regions,
    force: true,
    seed,
    ...(manifest.command ? { command: manifest.command } : {}),
  })
}

export type LookupRun = Omit<Parameters<typeof recordLookup>[0], 'lookup' | 'settleMs' | 'maxWaitMs'>

/**
 * CloudTrail delivers within about 5 minutes on average: nothing at all this long after the window
 * end usually means the wrong principal or keys are being looked for, and a user should hear so
 * now rather than at the end of --max-wait.
 */
export const EARLY_WARNING_MS = 3 * 60_000

/** Shared by `collect` and `record`: progress, Ctrl-C, the SDK port, and the result's exit code. */
export async function runLookupRecording(
  opts: Pick<CollectOptions, 'settle' | 'maxWait' | 'profile' | 'quiet' | 'format'>,
  run: LookupRun,
  extra: { credentials?: AwsClientOptions['credentials']; lookingFor?: () => string } = {},
): Promise<LookupRecordingResult> {
  const settleMs = parseDuration(opts.settle, '--settle')
  const maxWaitMs = parseDuration(opts.maxWait, '--max-wait')
  const limiters = new RegionLimiters(systemClock)
  const aws: AwsClientOptions = {
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(extra.credentials ? { credentials: extra.credentials } : {}),
  }
  const lookup = createCloudTrailLookup(aws, limiters)
  let warned = false
  const warnIfNothing = (total: number) => {
    if (warned || total > 0 || Date.now() - run.window.end.getTime() < EARLY_WARNING_MS) return
    warned = true
    const who = extra.lookingFor?.() ?? principalText(run.principal)
    process.stderr.write(
      `\niamtrail: warning: no events yet ${Math.round(EARLY_WARNING_MS / 60_000)} minutes after the window end (CloudTrail usually delivers within 5); looking for ${who}. Still waiting up to --max-wait ${opts.maxWait}.\n`,
    )
  }
  const progress = createProgress(withGlobalRegion(run.regions), process.stderr, opts.quiet)
  const interrupt = abortOnInterrupt(() =>
    process.stderr.write('\niamtrail: interrupted; saving what was collected (Ctrl-C again to quit now)\n'),
  )
  let result: LookupRecordingResult
  try {
    result = await recordLookup({
      ...run,
      lookup,
      limiters,
      settleMs,
      maxWaitMs,
      signal: interrupt.signal,
      onProgress: (p) => {
        progress.update(p)
        if (p.kind === 'poll-done') warnIfNothing(p.total)
      },
    })
  } finally {
    progress.done()
    interrupt.dispose()
    lookup.destroy()
  }
  const { manifest, collection } = result
  const s = collection.settle
  if (!opts.quiet || s.outcome !== 'complete') {
    const per = Object.entries(manifest.counts.perRegion)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')
    process.stderr.write(
      `iamtrail: ${manifest.counts.events} events (${per}); ${s.outcome}: ${manifest.settle.detail}\n` +
        (result.saved ? `iamtrail: recording saved to ${run.path}\n` : ''),
    )
    for (const f of result.findings) {
      process.stderr.write(
        `  ${f.severity}: ${f.where ? `${terminalSafe(f.where)}: ` : ''}${terminalSafe(f.detail)} [${f.code}]\n`,
      )
    }
  }
  if (s.fatal) {
    const err = awsFailureError(s.fatal, 'cloudtrail:LookupEvents')
    if (result.saved)
      err.message += `\nOnce fixed, complete the recording with: iamtrail collect --resume ${run.path}`
    throw err
  }
  if (opts.format === 'json') process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`)
  else if (opts.format === 'path') process.stdout.write(`${run.path}\n`)
  if (s.reason === 'interrupted') process.exitCode = 130
  else if (s.reason === 'region-failed') process.exitCode = EXIT.incomplete
  return result
}
