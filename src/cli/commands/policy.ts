import type { Command } from 'commander'
import { EXIT, IamtrailError } from '../../errors.js'
import { FindingList } from '../../findings.js'
import { verifyPolicy } from '../../granted/verify.js'
import { usageFromInputs } from '../../pipeline.js'
import { asArray, type PolicyDocument } from '../../policy/document.js'
import { renderCloudFormation } from '../../render/cloudformation.js'
import { renderMarkdown } from '../../render/markdown.js'
import { accountsAndRegions, placehold } from '../../render/portable.js'
import { renderTerraform } from '../../render/terraform.js'
import { buildPolicy, DEFAULT_BUILD, parseResourceMode } from '../../synthesize/build-policy.js'
import { keptGrants } from '../../synthesize/statements.js'
import { writeOutput } from '../output.js'
import { JOBS_OPTION, parseJobs, parseSelector, parseWindow } from '../parse-options.js'
import { formatSummary } from '../summary.js'

interface PolicyOptions {
  principal?: string
  accessKeyId?: string
  start?: string
  end?: string
  format: string
  output?: string
  force: boolean
  excludeDenied: boolean
  quiet: boolean
  jobs?: string
  verify: boolean
  resources: string
  portable: boolean
  restrictRegions: boolean
  allowActionWildcards: boolean
  maxSize: string
  maxPolicies: string
  roleName?: string
  trust?: string
  name: string
}

const FORMATS = ['json', 'cloudformation', 'terraform', 'markdown']

export function registerPolicy(program: Command): void {
  program
    .command('policy')
    .description('Synthesize the minimal IAM policy for what a principal did, from CloudTrail evidence')
    .argument(
      '<inputs...>',
      'recordings (several merge into one policy), CloudTrail log files or directories (S3 layout), lookup-events output, NDJSON, or - for stdin',
    )
    .option(
      '-p, --principal <arn>',
      'IAM user, role (all its sessions), assumed-role session, root or federated-user ARN',
    )
    .option('--access-key-id <id>', "only the calls signed with this access key (one session's calls)")
    .option('--start <time>', 'window start, ISO-8601 UTC (e.g. 2026-11-20T10:00Z)')
    .option('--end <time>', 'window end, ISO-8601 UTC, exclusive')
    .option('-f, --format <format>', `output format: ${FORMATS.join(' | ')}`, 'json')
    .option('-o, --output <file>', 'write to a file instead of stdout (atomically)')
    .option('--force', 'overwrite --output if it exists', false)
    .option('-r, --resources <mode>', 'exact | generalize | prefix:<p>[,<p>...]', 'generalize')
    .option('--portable', 'account id and region as placeholders of the output format', false)
    .option(
      '--restrict-regions',
      'add an aws:RequestedRegion condition with the regions used, on regional actions',
      false,
    )
    .option(
      '--allow-action-wildcards',
      'shrink with service:Verb* where the wildcard covers only used actions',
      false,
    )
    .option(
      '--max-size <chars>',
      'split into managed policies of at most this size',
      String(DEFAULT_BUILD.maxSize),
    )
    .option('--max-policies <n>', 'fail if more documents would be needed', String(DEFAULT_BUILD.maxPolicies))
    .option('--name <name>', 'policy name in CloudFormation/Terraform output', 'iamtrail-deployer')
    .option('--role-name <name>', 'cloudformation: also create this role holding the policies')
    .option(
      '--trust <who>',
      'cloudformation: the role trusts this service (lambda, cloudformation.amazonaws.com) or account id',
    )
    .option('--exclude-denied', 'leave out permissions that were denied during the recording', false)
    .option(
      '--verify',
      'replay every recorded grant against the policy with the evaluator; fail if any would be denied',
      false,
    )
    .option('-q, --quiet', 'no summary on stderr', false)
    .option(...JOBS_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail policy examples/cfn-lambda-deploy.rec
  $ iamtrail policy deploy.rec update.rec teardown.rec --format markdown -o PERMISSIONS.md
  $ iamtrail policy deploy.rec --format cloudformation --portable --role-name deployer --trust cloudformation
  $ iamtrail policy deploy.rec --format terraform --resources prefix:orders-api-
  $ iamtrail policy ./AWSLogs --principal arn:aws:iam::123456789012:role/deployer \\
      --start 2026-11-20T10:00Z --end 2026-11-20T10:30Z --verify
  $ zcat trail.ndjson.gz | iamtrail policy - --principal arn:aws:iam::123456789012:user/ci

Exit codes: 0 ok; 1 usage error or nothing to do; 2 policy written but an input failed (may be incomplete);
3 --verify found a recorded call the policy would not allow.`,
    )
    .action(async (inputs: string[], opts: PolicyOptions) => {
      if (!FORMATS.includes(opts.format))
        throw new IamtrailError(`--format ${opts.format}: use ${FORMATS.join(', ')}`)
      const maxSize = positiveInt(opts.maxSize, '--max-size')
      const maxPolicies = positiveInt(opts.maxPolicies, '--max-policies')
      const resources = parseResourceMode(opts.resources)
      const findings = new FindingList()
      const principal = parseSelector(opts.principal, opts.accessKeyId)
      const window = parseWindow(opts.start, opts.end)
      const req = { inputs, window, sink: findings, jobs: parseJobs(opts.jobs) }
      const result = await usageFromInputs(principal ? { ...req, principal } : req)
      const built = buildPolicy(result.usage, result.catalog, {
        resources,
        excludeDenied: opts.excludeDenied,
        restrictRegions: opts.restrictRegions,
        allowActionWildcards: opts.allowActionWildcards,
        maxSize,
        maxPolicies,
      })
      const description = `Least privilege for ${result.usage.principal}, from CloudTrail evidence (iamtrail)`
      let text: string
      if (opts.format === 'cloudformation') {
        text = renderCloudFormation(built.documents, {
          portable: opts.portable,
          description,
          ...(opts.roleName ? { roleName: opts.roleName } : {}),
          ...(opts.trust ? { trust: opts.trust } : {}),
        })
      } else if (opts.format === 'terraform') {
        text = renderTerraform(built.documents, {
          portable: opts.portable,
          name: opts.name.replace(/-/g, '_'),
          description,
        })
      } else if (opts.format === 'markdown') {
        text = renderMarkdown(built.usage, built.documents, {
          describe: (a) => {
            const [p, n] = a.split(':') as [string, string]
            return result.catalog.action(p, n)?.description
          },
          generalizations: built.generalizations,
          sizes: built.sizes,
          dataVersion: await result.catalog.version(),
        })
      } else {
        const docs = opts.portable ? built.documents.map(portableJson) : built.documents
        text = `${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`
      }
      await writeOutput(text, opts.output, opts.force)
      if (!opts.quiet) {
        process.stderr.write(formatSummary(result.stats, result.usage, findings.items))
        for (const g of built.generalizations) {
          process.stderr.write(
            `  generalized ${g.type}: ${g.from.length > 3 ? `${g.from.slice(0, 3).join(', ')} (+${g.from.length - 3})` : g.from.join(', ')} → ${g.to} (${g.why})\n`,
          )
        }
        process.stderr.write(
          `  policy: ${built.documents.length} document(s) of ${built.sizes.join(', ')} characters (limit ${maxSize})\n`,
        )
      }
      if (opts.verify) {
        const grants = keptGrants(result.usage, { excludeDenied: opts.excludeDenied })
        const failures = verifyPolicy(grants, result.usage.principal, built.documents)
        if (failures.length) {
          for (const f of failures) {
            const extra = f.decision.result === 'conditional' ? ` (needs ${f.decision.keys.join(', ')})` : ''
            process.stderr.write(
              `iamtrail: verify: ${f.action} on ${f.resource} would be ${f.decision.result}${extra}\n`,
            )
          }
          process.stderr.write(
            `iamtrail: verify FAILED: ${failures.length} of ${grants.length} recorded grants are not allowed by the policy\n`,
          )
          process.exitCode = EXIT.gate
          return
        }
        process.stderr.write(
          `iamtrail: verify: all ${grants.length} recorded grants are allowed by the policy\n`,
        )
      }
      if (result.stats.filesWithErrors > 0 || findings.hasErrors()) process.exitCode = EXIT.incomplete
    })
}

/** Plain JSON has no placeholders: the account and region become "*" in ARNs. */
function portableJson(doc: PolicyDocument): PolicyDocument {
  const literal = accountsAndRegions(doc.Statement.flatMap((s) => asArray(s.Resource)))
  return {
    ...doc,
    Statement: doc.Statement.map((s) => ({
      ...s,
      Resource: asArray(s.Resource).map((r) => placehold(r, literal, { account: '*', region: '*' })),
    })),
  }
}

function positiveInt(v: string, name: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0)
    throw new IamtrailError(`${name} ${v}: expected a positive whole number`)
  return n
}
