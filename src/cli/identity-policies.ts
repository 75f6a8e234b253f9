import { EXIT, IamtrailError } from '../errors.js'
import type { Finding } from '../findings.js'
import { type FollowedIdentity, type FollowResult, followInputs, recordingRoots } from '../follow.js'
import { nextSteps } from '../identity/next-steps.js'
import { type UsageRequest, type UsageResult, usageFromInputs } from '../pipeline.js'
import type { PolicyDocument } from '../policy/document.js'
import { renderCloudFormationGroups } from '../render/cloudformation.js'
import { mdCode, mdText, terminalSafe } from '../render/escape.js'
import { renderMarkdown } from '../render/markdown.js'
import { renderTerraformGroups } from '../render/terraform.js'
import type { BuiltPolicy } from '../synthesize/build-policy.js'
import { writeOutput } from './output.js'
import {
  buildFor,
  checkPolicyOutputOptions,
  formatGeneralization,
  type PolicyOutputOptions,
  portableJson,
  verifyBuilt,
  writePolicy,
} from './policy-output.js'
import { formatCalls, formatSummary } from './summary.js'

interface IdentityPolicy {
  identity: FollowedIdentity
  built: BuiltPolicy
  /** The IAM policy name in the CloudFormation / Terraform output. */
  name: string
}

/**
 * The policies of an identity graph: one per identity, never merged (each gets what it used), in one
 * output of the chosen format, with the graph and what each deploy tool needs next. A graph of one
 * identity is written exactly as `writePolicy` writes a single principal's.
 */
export async function writeIdentityPolicies(
  result: FollowResult,
  findings: Finding[],
  opts: PolicyOutputOptions,
): Promise<number> {
  checkPolicyOutputOptions(opts)
  if (!opts.quiet) for (const line of excludedLines(result)) process.stderr.write(line)
  if (result.identities.length === 1) {
    const only = result.identities[0]!
    return writePolicy({ ...result, usage: only.usage }, findings, opts)
  }
  const names = policyNames(result.identities, opts.policyName)
  const policies: IdentityPolicy[] = result.identities.map((identity, i) => ({
    identity,
    built: buildFor(identity.usage, result, opts),
    name: names[i]!,
  }))
  const steps = nextSteps(policies.map((p) => ({ ...p.identity, policyName: p.name })))
  if (!opts.quiet && (opts.roleName || opts.trust))
    process.stderr.write(
      `iamtrail: warning: --role-name/--trust create one role for one policy; ${policies.length} identities each keep their own role, so no role is created\n`,
    )
  const text = await render(policies, result, opts, steps)
  await writeOutput(text, opts.output, opts.force)
  if (!opts.quiet) {
    const all = [...findings, ...policies.flatMap((p) => p.built.findings)]
    process.stderr.write(formatSummary(result.stats, undefined, all))
    process.stderr.write(`iamtrail: ${policies.length} identities, one policy each:\n`)
    for (const p of policies) {
      process.stderr.write(`  ${terminalSafe(p.identity.principal)}: ${terminalSafe(reached(p.identity))}\n`)
      process.stderr.write(
        `    policy ${p.name}: ${p.built.documents.length} document(s) of ${p.built.sizes.join(', ')} characters\n`,
      )
      process.stderr.write(formatCalls(p.identity.usage, '    '))
      for (const g of p.built.generalizations) process.stderr.write(formatGeneralization(g))
    }
    for (const s of steps) process.stderr.write(`iamtrail: next: ${terminalSafe(s)}\n`)
  }
  if (!opts.verify) return EXIT.ok
  let ok = true
  for (const p of policies)
    ok = verifyBuilt(p.identity.usage, p.built, result.creations, opts, p.identity.principal) && ok
  return ok ? EXIT.ok : EXIT.gate
}

async function render(
  policies: IdentityPolicy[],
  result: FollowResult,
  opts: PolicyOutputOptions,
  steps: string[],
): Promise<string> {
  const description = `Least privilege for the ${policies.length} identities of a deploy, from CloudTrail evidence (iamtrail)`
  const describe = (p: IdentityPolicy) =>
    `Least privilege for ${p.identity.principal}, ${reached(p.identity)}; from CloudTrail evidence (iamtrail)`
  if (opts.format === 'cloudformation') {
    const ids = logicalIds(policies)
    return renderCloudFormationGroups(
      policies.map((p, i) => ({
        id: ids[i]!,
        // A ManagedPolicy description is at most 1000 characters.
        description: describe(p).slice(0, 1000),
        docs: p.built.documents,
        policyName: p.name,
      })),
      {
        portable: opts.portable,
        description,
        metadata: { identities: graphData(policies, result), nextSteps: steps },
      },
    )
  }
  if (opts.format === 'terraform') {
    return renderTerraformGroups(
      policies.map((p) => ({
        name: p.name,
        description: describe(p),
        docs: p.built.documents,
        comment: [`${p.identity.principal}: ${reached(p.identity)}`],
      })),
      opts.portable,
    )
  }
  if (opts.format === 'markdown') {
    const version = await result.catalog.version()
    const out = [
      '# Least-privilege policies for the identities of a deploy',
      '',
      'One policy per identity: each gets what it used, nothing another identity used.',
      '',
      '| identity | how the deploy reached it | policy | evidence |',
      '|---|---|---|---|',
      ...policies.map(
        (p) =>
          `| ${mdCode(p.identity.principal)} | ${mdText(reached(p.identity))} | ${mdCode(p.name)} | ${p.identity.reachedBy.map((e) => `event ${mdCode(e.eventId)} at ${mdText(e.eventTime)}`).join('<br>') || 'selected'} |`,
      ),
      '',
      ...excludedMarkdown(result),
      ...(steps.length ? ['## Next steps', '', ...steps.map((s) => `- ${mdText(s)}`), ''] : []),
    ]
    for (const p of policies) {
      out.push(
        renderMarkdown(p.built.usage, p.built.documents, {
          describe: (a) => {
            const [prefix, name] = a.split(':') as [string, string]
            return result.catalog.action(prefix, name)?.description
          },
          generalizations: p.built.generalizations,
          sizes: p.built.sizes,
          dataVersion: version,
          depth: 1,
        }),
      )
    }
    return out.join('\n')
  }
  const keyed: Record<string, PolicyDocument | PolicyDocument[]> = {}
  for (const p of policies) {
    const docs = opts.portable ? p.built.documents.map(portableJson) : p.built.documents
    keyed[p.identity.principal] = docs.length === 1 ? docs[0]! : docs
  }
  return `${JSON.stringify(keyed, null, 2)}\n`
}

/** How the identity joined the graph, in words, with the call that shows it. */
export function reached(id: FollowedIdentity): string {
  const by = id.reachedBy
  if (id.kind === 'service-role') {
    const passed = by.filter((e) => e.how === 'passed')
    const who = [...new Set(passed.map((e) => e.from))].join(', ')
    return `CloudFormation service role passed by ${who} (${[...new Set(passed.map((e) => e.call))].join(', ')}) for stacks ${id.stacks.join(', ') || '(unnamed)'}`
  }
  if (id.kind === 'session') {
    const assumed = by.filter((e) => e.how === 'assumed')
    return `assumed by ${[...new Set(assumed.map((e) => `${e.from} (${e.call})`))].join(', ')}`
  }
  return 'the recorded caller (a root of the graph)'
}

/**
 * Policy names for each identity: the --policy-name and the identity's own name, within IAM's
 * 128 characters (125, leaving room for a split's -N), unique.
 */
export function policyNames(ids: readonly FollowedIdentity[], base: string): string[] {
  const used = new Set<string>()
  return ids.map((id) => {
    const last = id.principal.split(/[/:]/).pop() || 'identity'
    const own = last.replace(/[^\w+=,.@-]/g, '-')
    let name = `${base}-${own}`.slice(0, 125)
    for (let n = 2; used.has(name); n++) name = `${`${base}-${own}`.slice(0, 120)}-${n}`
    used.add(name)
    return name
  })
}

/** CloudFormation logical ids: alphanumeric, unique, named for the identity. */
function logicalIds(policies: readonly IdentityPolicy[]): string[] {
  const used = new Set<string>()
  return policies.map((p) => {
    const stem = `IamtrailPolicy${p.name
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('')}`.slice(0, 200)
    let id = stem
    for (let n = 2; used.has(id); n++) id = `${stem}N${n}`
    used.add(id)
    return id
  })
}

function graphData(policies: readonly IdentityPolicy[], result: FollowResult) {
  return {
    members: policies.map((p) => ({
      identity: p.identity.principal,
      kind: p.identity.kind,
      policyName: p.name,
      ...(p.identity.stacks.length ? { stacks: p.identity.stacks } : {}),
    })),
    edges: result.edges.map((e) => ({
      from: e.from,
      to: e.to,
      how: e.how,
      call: e.call,
      eventId: e.eventId,
      eventTime: e.eventTime,
    })),
    ...(result.excluded.length ? { excluded: result.excluded } : {}),
  }
}

function excludedLines(result: FollowResult): string[] {
  return result.excluded.map(
    (x) =>
      `iamtrail: left out ${terminalSafe(x.arn)}: ${x.why}, no policy can be attached to it (event ${terminalSafe(x.eventId)})\n`,
  )
}

function excludedMarkdown(result: FollowResult): string[] {
  if (!result.excluded.length) return []
  return [
    'Left out (no policy can be attached to them):',
    '',
    ...result.excluded.map((x) => `- ${mdCode(x.arn)}: ${mdText(x.why)} (event ${mdCode(x.eventId)})`),
    '',
  ]
}

/** One principal's usage, or an identity graph's: what `policy` and `record` print a policy for. */
export type PolicyUsages = { kind: 'one'; result: UsageResult } | { kind: 'graph'; result: FollowResult }

/**
 * Whose policy to write. `follow`: true follows the graph from the selector (or from the recordings'
 * roots), false never does, undefined follows when no selector is given and the recordings were
 * made following (as `record` makes them): then a deploy's identities come out apart, not as an error.
 */
export async function policyUsages(req: UsageRequest, follow: boolean | undefined): Promise<PolicyUsages> {
  const roots = req.principal
    ? [req.principal]
    : follow === false
      ? undefined
      : await recordingRoots(req.inputs)
  if (follow === true && !roots)
    throw new IamtrailError(
      '--follow starts from someone: give --principal or --access-key-id, or recordings made by iamtrail record',
    )
  if (roots && (follow === true || (follow === undefined && !req.principal)))
    return { kind: 'graph', result: await followInputs({ ...req, roots }) }
  return { kind: 'one', result: await usageFromInputs(req) }
}

export function writeUsagesPolicy(
  usages: PolicyUsages,
  findings: Finding[],
  opts: PolicyOutputOptions,
): Promise<number> {
  return usages.kind === 'graph'
    ? writeIdentityPolicies(usages.result, findings, opts)
    : writePolicy(usages.result, findings, opts)
}
