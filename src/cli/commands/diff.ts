import type { Command } from 'commander'
import { defaultRegion, sdkClientConfig } from '../../aws/sdk-config.js'
import { diffPolicy } from '../../diff/diff-policy.js'
import { expandStatements } from '../../diff/expand.js'
import { EXIT, IamtrailError } from '../../errors.js'
import { FindingList } from '../../findings.js'
import { loadGrantedFromFiles } from '../../granted/load-files.js'
import { usageFromInputs } from '../../pipeline.js'
import { selectorLabel } from '../../reduce/reduce-events.js'
import { renderDiffMarkdown } from '../../render/diff-markdown.js'
import { renderDiffText } from '../../render/diff-text.js'
import { recordedFacts } from '../../synthesize/scope.js'
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
      '-g, --granted <file|dir|arn>',
      'policy document(s), get-account-authorization-details output (with --principal), a role/user ARN (read from IAM), or an AWS managed policy ARN (offline)',
    )
    .option('--profile <profile>', 'AWS profile for reading IAM (as in the AWS CLI)')
    .option('--region <region>', 'AWS region for the IAM client')
    .option('--boundary <file>', 'a permissions boundary policy document')
    .option('--scp <file...>', 'service control policy documents')
    .option('-p, --principal <arn>', 'whose usage (and whose policies, for authorization details)')
    .option('--access-key-id <id>', 'only the calls signed with this access key')
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
      const result = await usageFromInputs(principal ? { ...req, principal } : req)
      const granted = /^arn:[^:]+:iam::\d{12}:(role|user)\//.test(opts.granted)
        ? await (await import('../../granted/load-iam.js')).loadGrantedFromIam(
            new (await import('@aws-sdk/client-iam')).IAMClient(
              sdkClientConfig(defaultRegion(opts.region), opts.profile ? { profile: opts.profile } : {}),
            ),
            opts.granted,
          )
        : await loadGrantedFromFiles(
            opts.granted,
            principal ? selectorLabel(principal) : result.usage.principal,
          )
      if (opts.boundary) granted.boundary = (await loadGrantedFromFiles(opts.boundary)).identity
      if (opts.scp?.length)
        granted.scps = (await Promise.all(opts.scp.map((f) => loadGrantedFromFiles(f)))).flatMap(
          (g) => g.identity,
        )
      const d = diffPolicy(result.usage, granted, await expandStatements(granted, result.catalog), (g) =>
        recordedFacts(g, result.creations),
      )
      const text =
        opts.format === 'json'
          ? `${JSON.stringify(d, null, 2)}\n`
          : opts.format === 'markdown'
            ? renderDiffMarkdown(d, { full: opts.full })
            : renderDiffText(
                d,
                opts.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR,
              )
      await writeOutput(text, opts.output, opts.force)
      if (!opts.quiet) process.stderr.write(formatSummary(result.stats, result.usage, findings.items))
      const tripped = gates.filter(
        (g) =>
          (g === 'missing' && d.summary.denied > 0) ||
          (g === 'unused' && d.summary.unusedActions > 0) ||
          (g === 'broad' && d.summary.broad > 0) ||
          (g === 'conditional' && d.summary.conditional > 0),
      )
      if (tripped.length) {
        process.stderr.write(`iamtrail: --fail-on tripped: ${tripped.join(', ')}\n`)
        process.exitCode = EXIT.gate
      } else if (result.stats.filesWithErrors > 0 || findings.hasErrors()) process.exitCode = EXIT.incomplete
    })
}
