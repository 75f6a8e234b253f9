import type { Command } from 'commander'
import { EXIT, IamtrailError } from '../errors.js'
import type { Finding } from '../findings.js'
import { checkAgainstModel } from '../granted/model-check.js'
import { verifyPolicy } from '../granted/verify.js'
import type { UsageResult } from '../pipeline.js'
import { asArray, type PolicyDocument } from '../policy/document.js'
import type { Usage, UsedGrant } from '../reduce/usage.js'
import { renderCloudFormation } from '../render/cloudformation.js'
import { terminalSafe } from '../render/escape.js'
import { renderMarkdown } from '../render/markdown.js'
import { accountsAndRegions, placehold } from '../render/portable.js'
import { renderTerraform } from '../render/terraform.js'
import {
  type BuiltPolicy,
  buildPolicy,
  DEFAULT_BUILD,
  parseResourceMode,
} from '../synthesize/build-policy.js'
import type { Generalization } from '../synthesize/generalize.js'
import type { CreationIndex } from '../synthesize/provenance.js'
import { recordedFacts } from '../synthesize/scope.js'
import { keptGrants } from '../synthesize/statements.js'
import { writeOutput } from './output.js'
import { formatSummary } from './summary.js'

/**
 * How a policy is shaped and written: one set of options and one code path for every command that
 * prints a policy (`policy`, `record`), so the same recording gives the same policy everywhere.
 */
export interface PolicyOutputOptions {
  format: string
  output?: string
  force: boolean
  excludeDenied: boolean
  quiet: boolean
  verify: boolean
  resources: string
  portable: boolean
  restrictRegions: boolean
  allowActionWildcards: boolean
  maxSize: string
  maxPolicies: string
  roleName?: string
  trust?: string
  policyName: string
}

export const POLICY_FORMATS = ['json', 'cloudformation', 'terraform', 'markdown']

export function addPolicyOutputOptions(cmd: Command): Command {
  return cmd
    .option('-f, --format <format>', `policy format: ${POLICY_FORMATS.join(' | ')}`, 'json')
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
    .option(
      '--policy-name <name>',
      'terraform: the IAM policy name, kept as given (-1, -2 for split parts); the resource label has _ for other characters',
      'iamtrail-deployer',
    )
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
}

/** Usage errors in the policy options, found before any work (or any deploy) starts. */
export function checkPolicyOutputOptions(opts: PolicyOutputOptions): void {
  if (!POLICY_FORMATS.includes(opts.format))
    throw new IamtrailError(`--format ${opts.format}: use ${POLICY_FORMATS.join(', ')}`)
  positiveInt(opts.maxSize, '--max-size')
  positiveInt(opts.maxPolicies, '--max-policies')
  parseResourceMode(opts.resources)
  // IAM's rule for policy names (CreatePolicy: [\w+=,.@-]+, at most 128); a split adds "-N".
  if (!/^[\w+=,.@-]{1,125}$/.test(opts.policyName))
    throw new IamtrailError(
      `--policy-name ${JSON.stringify(opts.policyName)}: IAM policy names are 1-125 of letters, digits and + = , . @ _ - (125 leaves room for the -N of a split)`,
    )
}

/**
 * Builds, renders and writes the policy, prints the summary and generalizations on stderr, and
 * with --verify replays the recorded grants. Returns the exit code it calls for.
 */
export async function writePolicy(
  result: UsageResult,
  findings: Finding[],
  opts: PolicyOutputOptions,
): Promise<number> {
  checkPolicyOutputOptions(opts)
  const maxSize = positiveInt(opts.maxSize, '--max-size')
  const built = buildFor(result.usage, result, opts)
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
      name: opts.policyName,
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
    process.stderr.write(formatSummary(result.stats, result.usage, [...findings, ...built.findings]))
    for (const g of built.generalizations) process.stderr.write(formatGeneralization(g))
    process.stderr.write(
      `  policy: ${built.documents.length} document(s) of ${built.sizes.join(', ')} characters (limit ${maxSize})\n`,
    )
  }
  if (!opts.verify) return EXIT.ok
  return verifyBuilt(result.usage, built, result.creations, opts) ? EXIT.ok : EXIT.gate
}

/** The policy of one usage, with the command's options. */
export function buildFor(
  usage: Usage,
  result: Pick<UsageResult, 'catalog' | 'creations'>,
  opts: PolicyOutputOptions,
): BuiltPolicy {
  return buildPolicy(usage, result.catalog, {
    resources: parseResourceMode(opts.resources),
    excludeDenied: opts.excludeDenied,
    restrictRegions: opts.restrictRegions,
    allowActionWildcards: opts.allowActionWildcards,
    maxSize: positiveInt(opts.maxSize, '--max-size'),
    maxPolicies: positiveInt(opts.maxPolicies, '--max-policies'),
    creations: result.creations,
  })
}

/**
 * --verify: replays the recorded grants against the built documents with the evaluator, and checks
 * every recorded call against the operation model. Says what fails on stderr; true when nothing does.
 */
export function verifyBuilt(
  usage: Usage,
  built: BuiltPolicy,
  creations: CreationIndex,
  opts: Pick<PolicyOutputOptions, 'excludeDenied'>,
  label = '',
): boolean {
  const grants = keptGrants(usage, { excludeDenied: opts.excludeDenied })
  const factsOf = (g: UsedGrant) => recordedFacts(g, creations)
  const failures = verifyPolicy(grants, usage.principal, built.documents, factsOf)
  const who = label ? `${terminalSafe(label)}: ` : ''
  for (const f of failures) {
    const extra = f.decision.result === 'conditional' ? ` (needs ${f.decision.keys.join(', ')})` : ''
    process.stderr.write(
      `iamtrail: verify: ${who}${f.action} on ${f.resource} would be ${f.decision.result}${extra}\n`,
    )
  }
  const gaps = checkAgainstModel(grants, usage.principal, built.documents, factsOf)
  for (const g of gaps)
    process.stderr.write(
      `iamtrail: verify: ${who}${terminalSafe(g.call)} authorizes ${g.action} (operation model: ${g.source}), which the policy would not allow on ${terminalSafe(g.resource)}\n`,
    )
  if (failures.length)
    process.stderr.write(
      `iamtrail: verify FAILED: ${who}${failures.length} of ${grants.length} recorded grants are not allowed by the policy\n`,
    )
  if (gaps.length)
    process.stderr.write(
      `iamtrail: verify FAILED: ${who}${gaps.length} action(s) the operation model requires for the recorded calls are not allowed by the policy\n`,
    )
  if (failures.length || gaps.length) return false
  process.stderr.write(
    `iamtrail: verify: ${who}all ${grants.length} recorded grants are allowed by the policy, and every action the operation model requires for the recorded calls\n`,
  )
  return true
}

/** One widening on stderr: before → after (what widened), and on the next lines why it may and how it is scoped. */
export function formatGeneralization(g: Generalization): string {
  const from =
    g.from.length > 3 ? `${g.from.slice(0, 3).join(', ')} (+${g.from.length - 3})` : g.from.join(', ')
  const lines = [`  generalized ${g.type}: ${from} → ${g.to} (${g.why})`]
  for (const e of g.evidence) lines.push(`      evidence: ${e}`)
  for (const s of g.scope) lines.push(`      scope: ${s}`)
  if (g.risk) lines.push(`      risk: ${g.risk}`)
  return `${lines.map(terminalSafe).join('\n')}\n`
}

/** Plain JSON has no placeholders: the account and region become "*" in ARNs. */
export function portableJson(doc: PolicyDocument): PolicyDocument {
  const literal = accountsAndRegions(doc.Statement.flatMap((s) => asArray(s.Resource)))
  return {
    ...doc,
    Statement: doc.Statement.map((s) => ({
      ...s,
      Resource: asArray(s.Resource).map((r) => placehold(r, literal, { account: '*', region: '*' })),
    })),
  }
}

export function positiveInt(v: string, name: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0)
    throw new IamtrailError(`${name} ${v}: expected a positive whole number`)
  return n
}
