import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { defaultRegion, sdkClientConfig } from '../../aws/sdk-config.js'
import { diffPolicy, type PolicyDiff } from '../../diff/diff-policy.js'
import { expandStatements } from '../../diff/expand.js'
import { EXIT, IamtrailError } from '../../errors.js'
import { FindingList } from '../../findings.js'
import type { GrantedPolicies } from '../../granted/evaluate.js'
import { loadGrantedFromFiles } from '../../granted/load-files.js'
import { selectorLabel } from '../../reduce/reduce-events.js'
import { renderDiffMarkdown } from '../../render/diff-markdown.js'
import { renderDiffText } from '../../render/diff-text.js'
import { recordedFacts } from '../../synthesize/scope.js'
import { policyUsages } from '../identity-policies.js'
import { checkOutput, writeOutput } from '../output.js'
import { JOBS_OPTION, parseJobs, parseSelector, parseWindow } from '../parse-options.js'
import { formatSummary } from '../summary.js'

interface DiffOptions {
  granted: string
  profile?: string
  region?: string
  boundary?: string
  scp?: string[]
  principal?: string
  accessKeyId?: string
  start?: string
  end?: string
  format: string
  output?: string
  force: boolean
  failOn?: string
  quiet: boolean
  full: boolean
  jobs?: string
  follow?: boolean
}

const GATES = ['missing', 'unused', 'broad', 'conditional'] as const

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description(
      'Compare what a principal is granted with what it used: missing, unused, unknown, broader than used',
    )
    .argument('<inputs...>', 'recordings, CloudTrail logs or directories, lookup-events output, NDJSON, or -')
    .requiredOption(
      '-g, --granted <file|dir|arn|iam>',
      'policy document(s), get-account-authorization-details output (with --principal, or for every followed identity), a role/user ARN (read from IAM), iam (each identity read from IAM), or an AWS managed policy ARN (offline)',
    )
    .option('--profile <profile>', 'AWS profile for reading IAM (as in the AWS CLI)')
    .option('--region <region>', 'AWS region for the IAM client')
    .option('--boundary <file>', 'a permissions boundary policy document')
    .option('--scp <file...>', 'service control policy documents')
    .option('-p, --principal <arn>', 'whose usage (and whose policies, for authorization details)')
    .option('--access-key-id <id>', 'only the calls signed with this access key')
    .option('--follow', 'also the roles it assumes or passes to CloudFormation: one diff per identity')
    .option('--no-follow', 'only the selected principal, even in a recording made following identities')
    .option('--start <time>', 'window start, ISO-8601 UTC')
    .option('--end <time>', 'window end, ISO-8601 UTC, exclusive')
    .option('-f, --format <format>', 'text | json | markdown', 'text')
    .option('-o, --output <file>', 'write to a file (atomically)')
    .option('--force', 'overwrite --output', false)
    .option('--fail-on <kinds>', `exit ${EXIT.gate} when any of these are found: ${GATES.join(',')}`)
    .option(
      '--full',
      'markdown: list every unused action (by default a long list is counts per service, to fit a pull-request comment)',
      false,
    )
    .option('-q, --quiet', 'no summary on stderr', false)
    .option(...JOBS_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail diff --granted deployer-policy.json deploy.rec teardown.rec
  $ aws iam get-account-authorization-details > auth.json
  $ iamtrail diff --granted auth.json --principal arn:aws:iam::123456789012:role/deployer ./AWSLogs --format markdown
  $ iamtrail diff --granted policy.json deploy.rec --fail-on missing,broad   # a CI gate
  $ iamtrail diff --granted arn:aws:iam::123456789012:role/deployer --profile prod deploy.rec
  $ iamtrail diff --granted auth.json cdk-deploy.rec          # every identity the deploy used, each its own
  $ iamtrail diff --granted iam --profile prod cdk-deploy.rec # each identity's policies read from IAM

Exit codes: 0 ok; 1 usage error; 2 an input failed; ${EXIT.gate} a --fail-on gate tripped.`,
    )
    .action(async (inputs: string[], opts: DiffOptions) => {
      const gates = (opts.failOn ?? '').split(',').filter(Boolean)
      const bad = gates.filter((g) => !(GATES as readonly string[]).includes(g))
      if (bad.length)
        throw new IamtrailError(`--fail-on: unknown ${bad.join(', ')} (use ${GATES.join(', ')})`)
      if (!['text', 'json', 'markdown'].includes(opts.format))
        throw new IamtrailError(`--format ${opts.format}: use text, json or markdown`)
      await checkOutput(opts.output, opts.force)
      const findings = new FindingList()
      const principal = parseSelector(opts.principal, opts.accessKeyId)
      const req = {
        inputs,
        window: parseWindow(opts.start, opts.end),
        sink: findings,
        jobs: parseJobs(opts.jobs, opts.quiet),
      }
      const usages = await policyUsages(principal ? { ...req, principal } : req, opts.follow)
      // One diff per identity: each against its own granted policies, never another's.
      const targets =
        usages.kind === 'one'
          ? [
              {
                usage: usages.result.usage,
                principal: principal ? selectorLabel(principal) : usages.result.usage.principal,
              },
            ]
          : usages.result.identities.map((i) => ({ usage: i.usage, principal: i.principal }))
      if (usages.kind === 'graph' && targets.length > 1) await checkGrantedPerIdentity(opts.granted)
      const { catalog, creations, stats } = usages.result
      const diffs: PolicyDiff[] = []
      for (const t of targets) {
        const granted = await loadGranted(opts, t.principal, targets.length > 1)
        diffs.push(
          diffPolicy(t.usage, granted, await expandStatements(granted, catalog), (g) =>
            recordedFacts(g, creations),
          ),
        )
      }
      const color = opts.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR
      const text =
        opts.format === 'json'
          ? `${JSON.stringify(diffs.length === 1 ? diffs[0] : Object.fromEntries(diffs.map((d) => [d.principal, d])), null, 2)}\n`
          : diffs
              .map((d) =>
                opts.format === 'markdown'
                  ? renderDiffMarkdown(d, { full: opts.full })
                  : renderDiffText(d, color),
              )
              .join('\n')
      await writeOutput(text, opts.output, opts.force)
      if (!opts.quiet)
        process.stderr.write(
          formatSummary(stats, usages.kind === 'one' ? usages.result.usage : undefined, findings.items),
        )
      const tripped = gates.filter((g) =>
        diffs.some(
          (d) =>
            (g === 'missing' && d.summary.denied > 0) ||
            (g === 'unused' && d.summary.unusedActions > 0) ||
            (g === 'broad' && d.summary.broad > 0) ||
            (g === 'conditional' && d.summary.conditional > 0),
        ),
      )
      if (tripped.length) {
        process.stderr.write(`iamtrail: --fail-on tripped: ${tripped.join(', ')}\n`)
        process.exitCode = EXIT.gate
      } else if (stats.filesWithErrors > 0 || findings.hasErrors()) process.exitCode = EXIT.incomplete
    })
}

/** The granted side for one principal: IAM (a role/user ARN, or `iam` for each identity), or files. */
async function loadGranted(
  opts: DiffOptions,
  principal: string,
  perIdentity: boolean,
): Promise<GrantedPolicies> {
  const fromIam =
    opts.granted === 'iam'
      ? principal
      : /^arn:[^:]+:iam::\d{12}:(role|user)\//.test(opts.granted) && !perIdentity
        ? opts.granted
        : undefined
  const granted = fromIam
    ? await (await import('../../granted/load-iam.js')).loadGrantedFromIam(
        new (await import('@aws-sdk/client-iam')).IAMClient(
          sdkClientConfig(defaultRegion(opts.region), opts.profile ? { profile: opts.profile } : {}),
        ),
        fromIam,
      )
    : await loadGrantedFromFiles(opts.granted, principal)
  if (opts.boundary) granted.boundary = (await loadGrantedFromFiles(opts.boundary)).identity
  if (opts.scp?.length)
    granted.scps = (await Promise.all(opts.scp.map((f) => loadGrantedFromFiles(f)))).flatMap(
      (g) => g.identity,
    )
  return granted
}

/**
 * Several identities need each its own granted policies: get-account-authorization-details output
 * (each identity's entry) or `iam` (each read from IAM). One policy file would be compared with
 * every identity as if each held it.
 */
async function checkGrantedPerIdentity(granted: string): Promise<void> {
  if (granted === 'iam') return
  const text = await readFile(granted, 'utf8').catch(() => '')
  const isDetails = (() => {
    try {
      const o = JSON.parse(text) as Record<string, unknown>
      return Array.isArray(o.RoleDetailList) || Array.isArray(o.UserDetailList)
    } catch {
      return false
    }
  })()
  if (!isDetails)
    throw new IamtrailError(
      `--granted ${granted}: the inputs hold several identities (--follow), each with its own policies: give get-account-authorization-details output, or --granted iam to read each from IAM (or choose one with --principal --no-follow)`,
    )
}
