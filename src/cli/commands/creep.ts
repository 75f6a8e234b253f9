import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IAMClient } from '@aws-sdk/client-iam'
import type { Command } from 'commander'
import { defaultRegion, sdkClientConfig } from '../../aws/sdk-config.js'
import { Catalog } from '../../catalog/catalog.js'
import { recordAthena } from '../../collect/athena/athena-recording.js'
import { blindSpotsNote } from '../../creep/coverage.js'
import { riskyGrants } from '../../creep/high-risk.js'
import { directoryHistory, type HistoryStore, s3History } from '../../creep/history.js'
import {
  inScope,
  principalsFromFile,
  rolesFromAuthorizationDetails,
  rolesFromIam,
  type ScopedPrincipal,
} from '../../creep/principals.js'
import { CREEP_SCHEMA, type CreepReport, principalReport, rank } from '../../creep/report.js'
import { diffPolicy } from '../../diff/diff-policy.js'
import { expandStatements } from '../../diff/expand.js'
import { EXIT, IamtrailError } from '../../errors.js'
import { parsePrincipal } from '../../events/principal.js'
import { FindingList } from '../../findings.js'
import type { GrantedPolicies } from '../../granted/evaluate.js'
import { loadGrantedFromFiles } from '../../granted/load-files.js'
import { globMatcher } from '../../granted/wildcard.js'
import { emptyUsage, reduceInputs, usageFromInputs } from '../../pipeline.js'
import type { Usage } from '../../reduce/usage.js'
import { renderCreepHtml } from '../../render/creep-html.js'
import { renderCreepMarkdown } from '../../render/creep-markdown.js'
import { terminalSafe } from '../../render/escape.js'
import { buildPolicy, DEFAULT_BUILD } from '../../synthesize/build-policy.js'
import { recordedFacts } from '../../synthesize/scope.js'
import {
  type AthenaOptions,
  addAthenaOptions,
  athenaClient,
  athenaRun,
  athenaTarget,
  scanSummary,
} from '../athena-options.js'
import { checkOutput, writeOutput } from '../output.js'
import { JOBS_OPTION, parseDuration, parseJobs, parseRegions, parseTime } from '../parse-options.js'
import { runLookupRecording } from './collect.js'

interface CreepOptions extends AthenaOptions {
  jobs?: string
  source?: string
  principal?: string[]
  principalsFrom?: string
  allRoles: boolean
  excludePath?: string[]
  exclude?: string[]
  granted: string
  window: string
  end?: string
  regions?: string
  minAge?: string
  grace?: string
  history?: string
  format: string
  output?: string
  force: boolean
  quiet: boolean
}

const FORMATS = ['markdown', 'json', 'html']
const DAY = 86_400_000

/**
 * Where a principal's usage of the window comes from. A source is one entry: it gets the principal
 * and the window and returns the inputs the shared pipeline reads (recordings, log files).
 */
interface CreepSource {
  description: string
  inputsFor(
    p: ScopedPrincipal,
    window: { start: Date; end: Date },
    opts: CreepOptions,
    inputs: string[],
  ): Promise<string[]>
}

export const CREEP_SOURCES = new Map<string, CreepSource>([
  [
    'files',
    {
      description: 'CloudTrail logs, recordings, lookup-events output or NDJSON given as arguments',
      async inputsFor(_p, _w, _o, inputs) {
        if (inputs.length === 0) throw new IamtrailError('--source files needs the inputs as arguments')
        return inputs
      },
    },
  ],
  [
    'athena',
    {
      description: 'Athena over the trail’s S3 logs (--database, --table; any window, organization trails)',
      async inputsFor(p, window, opts) {
        const dir = await mkdtemp(join(tmpdir(), 'iamtrail-creep-'))
        cleanup.push(dir)
        const path = join(dir, 'window.rec')
        const athena = await athenaClient(opts)
        const { run, dispose } = athenaRun(opts)
        try {
          const m = await recordAthena(athena, {
            ...run,
            ...athenaTarget(opts),
            principal: parsePrincipal(p.arn),
            window,
            regions: parseRegions(opts.regions),
            path,
            name: 'creep',
          })
          if (!opts.quiet)
            process.stderr.write(
              `iamtrail: ${scanSummary(m.athena!.scannedBytes, m.athena!.queryExecutionId)}\n`,
            )
        } finally {
          dispose()
          athena.destroy()
        }
        return [path]
      },
    },
  ],
  [
    'lookup',
    {
      description: 'CloudTrail LookupEvents (management events of the last 90 days), per region',
      async inputsFor(p, window, opts) {
        const dir = await mkdtemp(join(tmpdir(), 'iamtrail-creep-'))
        const path = join(dir, 'window.rec')
        await runLookupRecording(
          {
            settle: '0s',
            maxWait: '30m',
            quiet: opts.quiet,
            format: 'none',
            ...(opts.profile ? { profile: opts.profile } : {}),
          },
          {
            path,
            name: 'creep',
            principal: parsePrincipal(p.arn),
            window,
            regions: parseRegions(opts.regions ?? opts.region ?? process.env.AWS_REGION),
          },
        )
        cleanup.push(dir)
        return [path]
      },
    },
  ],
])
const cleanup: string[] = []

export function registerCreep(program: Command): Command {
  const cmd = program
    .command('creep')
    .description(
      'Privilege-creep report: granted vs used over a window, per principal, and since the last report',
    )
    .argument('[inputs...]', 'with --source files: CloudTrail logs, recordings, lookup-events output, NDJSON')
    .option(
      '-s, --source <source>',
      `where usage comes from: ${[...CREEP_SOURCES.keys()].join(' | ')} (default: files when inputs are given, else lookup)`,
    )
    .option('-p, --principal <arn>', 'a role or user ARN to report on (repeat for several)', collect)
    .option('--principals-from <file>', 'a file of role/user ARNs, one a line')
    .option(
      '--all-roles',
      'every role of the account (from --granted authorization details, or IAM ListRoles)',
      false,
    )
    .option(
      '--exclude-path <path>',
      'leave out roles under this IAM path (repeatable; default /aws-service-role/)',
      collect,
    )
    .option('--exclude <pattern>', 'leave out principals whose ARN matches (* and ?; repeatable)', collect)
    .option(
      '-g, --granted <source>',
      '"iam" (read each principal from IAM), get-account-authorization-details output, or policy file(s) that apply to every principal',
      'iam',
    )
    .option('-w, --window <duration>', 'how far back usage counts (e.g. 30d, 90d)', '90d')
    .option('--end <time>', 'end of the window, ISO-8601 UTC (default: now)')
    .option('--regions <list>', 'lookup: comma-separated regions; us-east-1 is always added')
    .option('--min-age <duration>', 'flag principals younger than this (default: the window)')
    .option('--grace <duration>', 'grants newer than this (known from --history) are not called unused yet')
    .option(
      '--history <dir|s3-uri>',
      'keep every report here (a directory or s3://bucket/prefix/); compare with the newest one',
    )
    .option('-f, --format <format>', FORMATS.join(' | '), 'markdown')
    .option('-o, --output <file>', 'write to a file (atomically)')
    .option('--force', 'overwrite --output', false)
    .option('--profile <profile>', 'AWS profile (as in the AWS CLI)')
    .option('--region <region>', 'AWS region (as in the AWS CLI)')
    .option('-q, --quiet', 'no progress on stderr', false)
    .option(...JOBS_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail creep --principal arn:aws:iam::123456789012:role/deployer --window 90d --source lookup
  $ iamtrail creep --principals-from roles.txt --granted auth.json --window 30d ./AWSLogs \\
      --history ./creep-history --format html --output report.html
  $ aws iam get-account-authorization-details > auth.json
  $ iamtrail creep --all-roles --granted auth.json --exclude-path /aws-service-role/ ./AWSLogs --format json
  $ iamtrail creep --principals-from roles.txt --source athena --database security --table cloudtrail \\
      --workgroup iamtrail --window 90d --max-scan-gb 50 --history ./creep-history

Durations: 90d, 12h, 30m. Exit codes: 0 ok; 1 usage; 2 written, but some input or region failed
(the report's coverage section says which).`,
    )
  return addAthenaOptions(cmd).action(async (inputs: string[], opts: CreepOptions) => {
    if (!FORMATS.includes(opts.format))
      throw new IamtrailError(`--format ${opts.format}: use ${FORMATS.join(', ')}`)
    const sourceName = opts.source ?? (inputs.length ? 'files' : 'lookup')
    const source = CREEP_SOURCES.get(sourceName)
    if (!source)
      throw new IamtrailError(`--source ${sourceName}: use ${[...CREEP_SOURCES.keys()].join(', ')}`)
    const now = new Date()
    const end = opts.end ? parseTime(opts.end, '--end') : now
    const windowMs = parseDays(opts.window, '--window')
    // An empty window has no usage: every grant would read as unused.
    if (windowMs <= 0)
      throw new IamtrailError(`--window ${opts.window}: the window must be longer than 0 (e.g. 30d)`)
    const window = { start: new Date(end.getTime() - windowMs), end }
    await checkOutput(opts.output, opts.force)
    const config = sdkClientConfig(defaultRegion(opts.region), opts.profile ? { profile: opts.profile } : {})
    const iam = async () => new (await import('@aws-sdk/client-iam')).IAMClient(config)
    const authDetails = opts.granted !== 'iam' && (await isAuthorizationDetails(opts.granted))
    const principals = await scope(opts, authDetails, iam)
    if (principals.length === 0)
      throw new IamtrailError('no principals in scope: use --principal, --principals-from or --all-roles')
    const catalog = new Catalog()
    const findings = new FindingList()
    const history: HistoryStore | undefined = !opts.history
      ? undefined
      : opts.history.startsWith('s3://')
        ? s3History(opts.history, new (await import('@aws-sdk/client-s3')).S3Client(config))
        : directoryHistory(opts.history)
    const previous = history ? await history.latest() : undefined
    const reports = []
    const regions = new Set<string>()
    let incomplete = false
    try {
      const jobs = sourceName === 'files' ? parseJobs(opts.jobs, opts.quiet) : 1
      // Log files with several principals in scope: one pass for all of them, not one per principal.
      const onePass =
        sourceName === 'files' && principals.length > 1
          ? await reduceInputs({ inputs, window, sink: findings, catalog, jobs })
          : undefined
      if (onePass?.stats.filesWithErrors) incomplete = true
      const byPrincipal = new Map(onePass?.usages.map((u) => [u.principal, u]))
      // What the inputs created, for the proposed policy's generalization.
      let creations = onePass?.creations
      const usageOf = async (p: ScopedPrincipal): Promise<Usage> => {
        if (onePass) return byPrincipal.get(p.arn) ?? emptyUsage(p.arn)
        const result = await usageFromInputs({
          inputs: await source.inputsFor(p, window, opts, inputs),
          principal: parsePrincipal(p.arn),
          window,
          sink: findings,
          catalog,
          allowEmpty: true,
          // Worker threads pay off over many log files; a collected window is one recording.
          jobs,
        })
        if (result.stats.filesWithErrors > 0) incomplete = true
        creations = result.creations
        return result.usage
      }
      for (const p of principals) {
        if (!opts.quiet) process.stderr.write(`iamtrail: creep: ${terminalSafe(p.arn)}\n`)
        const granted: GrantedPolicies =
          opts.granted === 'iam'
            ? await (await import('../../granted/load-iam.js')).loadGrantedFromIam(await iam(), p.arn)
            : await loadGrantedFromFiles(opts.granted, p.arn)
        const usage = await usageOf(p)
        for (const r of usage.regions) regions.add(r)
        const diff = diffPolicy(usage, granted, await expandStatements(granted, catalog), (g) =>
          recordedFacts(g, creations),
        )
        const proposed = usage.grants.length
          ? buildPolicy(usage, catalog, {
              ...DEFAULT_BUILD,
              resources: { kind: 'generalize' },
              ...(creations ? { creations } : {}),
            }).documents
          : []
        const prev = previous?.principals.find((x) => x.principal === p.arn)
        reports.push(
          principalReport(
            {
              usage: { ...usage, principal: p.arn },
              diff,
              risky: riskyGrants(granted.identity),
              proposed,
              ...(p.createdAt ? { createdAt: p.createdAt } : {}),
            },
            {
              window,
              // A report describes its window: the trend point, grace and ages are taken at its end.
              now: end,
              ...(opts.minAge ? { minAgeMs: parseDays(opts.minAge, '--min-age') } : {}),
              ...(opts.grace ? { graceMs: parseDays(opts.grace, '--grace') } : {}),
              ...(prev && previous ? { previous: prev, previousAt: previous.window.end } : {}),
            },
          ),
        )
      }
    } finally {
      for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true })
    }
    const report: CreepReport = {
      schema: CREEP_SCHEMA,
      generatedAt: now.toISOString(),
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
      settings: {
        ...(opts.minAge ? { minAge: opts.minAge } : {}),
        ...(opts.grace ? { grace: opts.grace } : {}),
        exclude: [...excludePaths(opts), ...(opts.exclude ?? [])],
      },
      coverage: {
        sources: [sourceName === 'files' ? `files: ${inputs.join(', ')}` : sourceName],
        regions: [...regions].sort(),
        gaps: findings.items
          .filter((f) => f.severity === 'error' || f.code.startsWith('collect.'))
          .map((f) => `${f.where ? `${f.where}: ` : ''}${f.detail}`),
        blindSpots: blindSpotsNote(sourceName),
      },
      ranking: rank(reports),
      principals: reports,
    }
    const text =
      opts.format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : opts.format === 'html'
          ? renderCreepHtml(report)
          : renderCreepMarkdown(report)
    await writeOutput(text, opts.output, opts.force)
    if (history) {
      const saved = await history.save(report)
      if (!opts.quiet) process.stderr.write(`iamtrail: creep report kept in ${saved}\n`)
    }
    if (incomplete || findings.hasErrors()) process.exitCode = EXIT.incomplete
  })
}

const collect = (v: string, acc: string[] = []) => [...acc, v]
const excludePaths = (opts: CreepOptions) => opts.excludePath ?? ['/aws-service-role/']

/** `90d`, `12h`, `30m`: days on top of the durations `--settle` takes. */
function parseDays(value: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)d$/.exec(value.trim())
  if (m) return Math.round(Number(m[1]) * DAY)
  try {
    return parseDuration(value, option)
  } catch {
    // parseDuration names the units of --settle; these options are mostly counted in days.
    throw new IamtrailError(`${option} ${JSON.stringify(value)} is not a duration (e.g. 30d, 90d, 12h, 30m)`)
  }
}

async function exists(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises')
  return stat(path).then(
    () => true,
    () => false,
  )
}

async function isAuthorizationDetails(path: string): Promise<boolean> {
  try {
    const { readFile, stat } = await import('node:fs/promises')
    if ((await stat(path)).isDirectory()) return false
    const head = (await readFile(path, 'utf8')).slice(0, 200_000)
    return /"RoleDetailList"|"UserDetailList"/.test(head)
  } catch {
    return false
  }
}

async function scope(
  opts: CreepOptions,
  authDetails: boolean,
  iam: () => Promise<IAMClient>,
): Promise<ScopedPrincipal[]> {
  const found = new Map<string, ScopedPrincipal>()
  const add = (p: ScopedPrincipal) => found.set(p.arn, { ...found.get(p.arn), ...p })
  for (const arn of opts.principal ?? []) {
    const sel = parsePrincipal(arn)
    if (sel.kind !== 'role' && sel.kind !== 'user')
      throw new IamtrailError(`--principal ${arn}: creep reports on roles and users (what IAM grants to)`)
    add({ arn })
  }
  if (opts.principalsFrom) for (const p of await principalsFromFile(opts.principalsFrom)) add(p)
  if (opts.allRoles) {
    // Policy files name no roles: "every role" would silently become the live account's (ListRoles).
    if (opts.granted !== 'iam' && !authDetails)
      throw new IamtrailError(
        `--all-roles --granted ${opts.granted}: ${(await exists(opts.granted)) ? 'not get-account-authorization-details output (no RoleDetailList), so it names no roles' : 'no such file'}; pass that output (aws iam get-account-authorization-details > auth.json), or --granted iam to list the account's roles from IAM`,
      )
    const roles = authDetails
      ? await rolesFromAuthorizationDetails(opts.granted)
      : await rolesFromIam(await iam())
    for (const r of roles) add(r)
  } else if (authDetails) {
    // Ages from the authorization details, for principals named explicitly.
    for (const r of await rolesFromAuthorizationDetails(opts.granted)) if (found.has(r.arn)) add(r)
  }
  const exclude = (opts.exclude ?? []).map((p) => globMatcher(p, false))
  return [...found.values()]
    .filter((p) => inScope(p, excludePaths(opts), exclude))
    .sort((a, b) => (a.arn < b.arn ? -1 : 1))
}
