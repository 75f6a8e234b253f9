/**
 * The numbers of the case studies in docs/case-studies/, computed from the scenario recordings and
 * the tools' hand-written policies (never typed by hand): `npx tsx test/scenarios/case-study.ts`
 * rewrites the pages; test/scenarios/scenarios.test.ts fails when a page is out of date.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Catalog } from '../../src/catalog/catalog.js'
import { diffPolicy } from '../../src/diff/diff-policy.js'
import { expandStatements } from '../../src/diff/expand.js'
import { parsePrincipal } from '../../src/events/principal.js'
import { FindingList } from '../../src/findings.js'
import { loadGrantedFromFiles } from '../../src/granted/load-files.js'
import { usageFromInputs } from '../../src/pipeline.js'
import { asArray, type PolicyDocument } from '../../src/policy/document.js'
import type { UsedGrant } from '../../src/reduce/usage.js'
import { buildPolicy, DEFAULT_BUILD } from '../../src/synthesize/build-policy.js'
import { policySize } from '../../src/synthesize/limits.js'
import { INVICTUS_LOGS, sharedData } from '../support/shared-data.js'

export const HERE = fileURLToPath(new URL('.', import.meta.url))
export const REPO = join(HERE, '..', '..')

export interface ToolStudy {
  tool: string
  title: string
  seed: string
  /** What the hand-written policy is, in one sentence. */
  hand: string
  inputs: string[]
  granted: string
  /** What the seed does that iamtrail does differently, in prose: the numbers come from the code. */
  notes?: string
}

export const TOOLS: ToolStudy[] = [
  {
    tool: 'ownstak',
    title: 'Ownstak',
    seed: '000_ee0e1ffdd69850b5.txt',
    hand: 'the "minimal template": 76 actions from its permission table on `*`, `iam:PassRole` on four named roles',
    inputs: ['deploy.rec', 'teardown.rec'],
    granted: 'granted.json',
    notes:
      "The seed's table gives a purpose for each permission; `iamtrail policy --format markdown` gives the same table with the Service Authorization Reference's description and the evidence (calls, first and last seen, an event id, the recording) instead of a hand-written purpose. `logs:TagResource` is missing by hand because `CreateLogGroup` with tags needs it (the table lists the older `logs:TagLogGroup`). Ownstak calls the APIs itself (no CloudFormation), so every resource is named in the events and iamtrail scopes nearly every action to the backend's names.",
  },
  {
    tool: 'jets',
    title: 'Jets',
    seed: '001_fde74b0f22687a28.txt',
    hand: 'the "least privilege" policy scoped by `${MY_PREFIX}-*` (MY_PREFIX=demo)',
    inputs: ['deploy.rec', 'teardown.rec'],
    granted: 'granted.json',
    notes:
      "Jets deploys through CloudFormation without a service role, so CloudFormation makes its calls with the deployer's own identity (`invokedBy: cloudformation.amazonaws.com`), and the deployer needs every permission the stack needs. The hand-written `${MY_PREFIX}-*` scope is what iamtrail's `--resources prefix:demo-` applies to every named resource; the default `generalize` finds the same scope from the names.",
  },
  {
    tool: 'opsworks',
    title: 'AWS OpsWorks (EC2 apps with an instance profile)',
    seed: '002_e502ca661fc75f45.txt',
    hand: 'the documented example: `ec2:*`, `s3:*`, `opsworks:*`, `iam:PassRole` on `instance/*` with `iam:PassedToService` opsworks',
    inputs: ['deploy.rec', 'teardown.rec'],
    granted: 'granted.json',
    notes:
      "The documented example scopes every action to `arn:aws:ec2:REGION:ACCOUNT:instance/*` and conditions it on `iam:PassedToService`, a key only `iam:PassRole` requests carry: every EC2 call fails the condition, the IAM calls are not granted at all, and even the `iam:PassRole` that `RunInstances` needs is denied (its resource is an instance, not a role). Nothing the deploy does is allowed. iamtrail infers the `iam:PassRole` that `RunInstances` needs from the instance profile (learned from `AddRoleToInstanceProfile`), scoped to that role with `iam:PassedToService: ec2.amazonaws.com`. The instance profile role's trust policy (`ec2.amazonaws.com`) is the tool's input, not the deployer's permission; `iamtrail policy --format cloudformation --role-name … --trust ec2.amazonaws.com` writes such a role with its trust policy for the deployer itself.",
  },
  {
    tool: 'sec-provisioner',
    title: 'SEC Provisioner',
    seed: '003_af9a9fff4ac165c3.txt',
    hand: 'its generated policy (five statements scoped by prefix/env/tenant/region), filled for `edge-prod-b001-us-west-1`',
    inputs: ['deploy.rec', 'teardown.rec'],
    granted: 'granted.json',
    notes:
      'The generated policy scopes all CloudFormation actions to the stack ARN, but `cloudformation:ValidateTemplate` and `cloudformation:DescribeStackDriftDetectionStatus` have no resource-level permissions: they need `Resource: "*"`, so template validation and drift detection are denied. iamtrail found the tool\'s own naming scheme (`edge-prod-b001-group-*`, `-role-*`, `-policy-*`) from the names alone. The seed separates read-only, deploy and delete permissions: iamtrail records each action as its own recording (`--name deploy`, `--name teardown`), writes a policy per recording when given one, and the markdown table names the recording behind every grant. An MFA condition for production is a policy decision, not evidence, so iamtrail leaves it to the user (a condition the recording cannot show would fail `--verify`).',
  },
  {
    tool: 'serverless',
    title: 'Serverless Framework',
    seed: '004_d09e45caee026cd2.txt',
    hand: 'the CloudFormation policy the article gives (the rest "case by case")',
    inputs: ['deploy.rec', 'teardown.rec'],
    granted: 'granted.json',
    notes:
      'The article grants only CloudFormation and leaves the rest "case by case": without a CloudFormation service role the deploy also needs every permission of the stack\'s resources (S3, IAM, Lambda, Logs, API Gateway), which is what the missing list shows. iamtrail writes that "case by case" part from the recording.',
  },
]

export interface Numbers {
  principal: string
  events: number
  hand: {
    statements: number
    actions: number
    resourcePatterns: number
    wildcardResources: number
    size: number
    conditions: number
  }
  iamtrail: {
    statements: number
    actions: number
    resourcePatterns: number
    wildcardResources: number
    size: number
    conditions: number
    documents: number
    /** iamtrail's actions that the hand-written policy grants too, and those it lacks. */
    alsoByHand: number
    notByHand: string[]
  }
  missing: string[]
  unused: number
  unknown: number
  broad: number
  generalizations: string[]
  unresolved: string[]
}

/**
 * True when no event names the action: the operation model says the calls authorize it (iam:PassRole,
 * tag-on-create, lambda:ListTags with GetFunction). These are the misses a hand-written policy
 * cannot see in the events either.
 */
function fromModel(grants: readonly UsedGrant[], action: string): boolean {
  const mine = grants.filter((g) => g.action.toLowerCase() === action.toLowerCase())
  return mine.length > 0 && mine.every((g) => g.inferred || g.rules.every((r) => r === 'sar:operation'))
}

/** Condition entries (operator × key) over every statement: how much a policy scopes its grants. */
const conditionCount = (docs: PolicyDocument[]) =>
  docs.reduce(
    (n, d) =>
      n +
      d.Statement.reduce(
        (m, s) => m + Object.values(s.Condition ?? {}).reduce((k, v) => k + Object.keys(v).length, 0),
        0,
      ),
    0,
  )

const patterns = (docs: PolicyDocument[]) =>
  new Set(docs.flatMap((d) => d.Statement.flatMap((s) => asArray(s.Resource ?? s.NotResource ?? []))))

export async function numbers(inputs: string[], grantedPath: string, principal?: string): Promise<Numbers> {
  const catalog = new Catalog()
  const findings = new FindingList()
  const req = { inputs, window: {}, sink: findings, catalog }
  const result = await usageFromInputs(principal ? { ...req, principal: parsePrincipal(principal) } : req)
  const built = buildPolicy(result.usage, catalog, { ...DEFAULT_BUILD, creations: result.creations })
  const granted = await loadGrantedFromFiles(grantedPath, result.usage.principal)
  const expanded = await expandStatements(granted, catalog)
  const d = diffPolicy(result.usage, granted, expanded)
  const handDocs = granted.identity.map((p) => p.document)
  const handActions = new Set([...expanded.values()].flat().map((a) => a.toLowerCase()))
  const ourActions = [
    ...new Set(built.documents.flatMap((doc) => doc.Statement.flatMap((s) => asArray(s.Action ?? [])))),
  ]
  const handPatterns = patterns(handDocs)
  const ours = patterns(built.documents)
  return {
    principal: result.usage.principal,
    events: result.stats.matched,
    hand: {
      statements: handDocs.reduce((n, doc) => n + doc.Statement.length, 0),
      actions: d.summary.grantedActions,
      resourcePatterns: handPatterns.size,
      wildcardResources: [...handPatterns].filter((r) => r.includes('*')).length,
      size: handDocs.reduce((n, doc) => n + policySize(doc), 0),
      conditions: conditionCount(handDocs),
    },
    iamtrail: {
      statements: built.documents.reduce((n, doc) => n + doc.Statement.length, 0),
      actions: ourActions.length,
      resourcePatterns: ours.size,
      wildcardResources: [...ours].filter((r) => r.includes('*')).length,
      size: built.sizes.reduce((a, b) => a + b, 0),
      conditions: conditionCount(built.documents),
      documents: built.documents.length,
      alsoByHand: ourActions.filter((a) => handActions.has(a.toLowerCase())).length,
      notByHand: ourActions.filter((a) => !handActions.has(a.toLowerCase())).sort(),
    },
    missing: [
      ...new Set(
        d.missing.map(
          (m) =>
            `${m.action} (${m.reason}${fromModel(result.usage.grants, m.action) ? '; operation model' : ''})`,
        ),
      ),
    ].sort(),
    unused: d.summary.unusedActions,
    unknown: d.summary.unknownActions,
    broad: d.summary.broad,
    generalizations: built.generalizations.map(
      (g) =>
        `${g.type}: ${g.from.length} name(s) → \`${g.to}\` (${[g.why, ...g.evidence.slice(0, 1), g.scope.length ? `scoped by ${g.scope.join('; ')}` : (g.risk ?? 'unscoped')].join('; ')})`,
    ),
    unresolved: [
      ...new Set(
        findings.items
          .filter((f) => f.code === 'resource.unresolved')
          .map((f) => f.detail.replace(/ at .*$/, '')),
      ),
    ].sort(),
  }
}

export function renderCaseStudy(t: ToolStudy, n: Numbers): string {
  const row = (label: string, a: number | string, b: number | string) => `| ${label} | ${a} | ${b} |`
  return `# Case study: ${t.title}

${
  t.seed
    ? `By hand: ${t.hand} (\`../shared/reference/seeds/${t.seed}\`, transcribed in
\`test/scenarios/${t.tool}/${t.granted}\`). By evidence: iamtrail over the scenario's deploy and
teardown recordings (\`test/scenarios/${t.tool}/\`, ${n.events} CloudTrail events of
\`${n.principal}\`, generated by \`test/scenarios/${t.tool}/generate.ts\` from the calls the tool's
documentation lists).

\`\`\`sh
iamtrail policy test/scenarios/${t.tool}/deploy.rec test/scenarios/${t.tool}/teardown.rec --format markdown
iamtrail diff --granted test/scenarios/${t.tool}/granted.json test/scenarios/${t.tool}/deploy.rec test/scenarios/${t.tool}/teardown.rec
\`\`\``
    : `By hand: ${t.hand}. By evidence: iamtrail over the ${n.events} CloudTrail events of \`${n.principal}\`.

\`\`\`sh
iamtrail policy ../shared/data/cloudtrail/invictus-aws-dataset/CloudTrail --principal ${n.principal} --verify
iamtrail diff --granted ${t.granted} ../shared/data/cloudtrail/invictus-aws-dataset/CloudTrail --principal ${n.principal}
\`\`\``
}

| | by hand | by iamtrail |
| --- | ---: | ---: |
${row('statements', n.hand.statements, n.iamtrail.statements)}
${row('actions granted (wildcards expanded)', n.hand.actions, n.iamtrail.actions)}
${row('resource patterns', n.hand.resourcePatterns, n.iamtrail.resourcePatterns)}
${row('… of which wildcards', n.hand.wildcardResources, n.iamtrail.wildcardResources)}
${row('conditions', n.hand.conditions, n.iamtrail.conditions)}
${row('policy size (characters, no whitespace)', n.hand.size, `${n.iamtrail.size}${n.iamtrail.documents > 1 ? ` in ${n.iamtrail.documents} managed policies` : ''}`)}

Of iamtrail's ${n.iamtrail.actions} actions, ${n.iamtrail.alsoByHand} are in the hand-written policy too${n.iamtrail.notByHand.length ? ` and ${n.iamtrail.notByHand.length} are not (the deploy needed them: see below)` : ''}. Of the hand-written policy's ${n.hand.actions} actions, iamtrail keeps ${n.iamtrail.alsoByHand}: ${n.hand.actions - n.iamtrail.alsoByHand} fewer. Both policies' sizes count only the characters IAM counts${n.iamtrail.size > n.hand.size ? `; iamtrail's is larger because it names resources (${n.iamtrail.resourcePatterns} patterns) where the hand-written one grants on ${n.hand.wildcardResources} wildcard pattern(s)` : ''}. iamtrail's policy passes \`--verify\` against the recordings${n.missing.length ? '; the hand-written one does not' : ''}.

## What the hand-written policy misses

${n.missing.length ? `${n.missing.map((m) => `- \`${m.split(' ')[0]}\` ${m.slice(m.indexOf(' ') + 1)}`).join('\n')}\n\nA deploy or teardown with this policy fails at the first of these calls. Those marked "operation model" are permissions no event names: the Service Authorization Reference's operation tables say the recorded calls authorize them (a passed role, tags on create, an action a call always checks), so neither a reading of the events nor a hand-written list sees them.` : 'Nothing: every recorded call is allowed.'}

## What it grants that the deploy and teardown never used

${n.unused} actions unused, ${n.unknown} more that CloudTrail cannot show (data events), and
${n.broad} action(s) granted on wildcards that were used only on named resources.

## What iamtrail generalized

${n.generalizations.length ? n.generalizations.map((g) => `- ${g}`).join('\n') : 'Nothing: every name is stable between runs.'}

${t.notes ? `## Notes\n\n${t.notes}\n\n` : ''}${n.unresolved.length ? `## What iamtrail could not scope\n\nThese calls do not name their resource in CloudTrail (or the action needs several resource types at once); iamtrail grants them on \`*\` and says so:\n\n${n.unresolved.map((u) => `- ${u}`).join('\n')}\n` : ''}`
}

/**
 * The real Terraform deploy and teardown of the invictus corpus (user bert-jan), against the
 * AdministratorAccess such a Terraform user usually holds (the corpus does not say what it held).
 */
export const TERRAFORM: ToolStudy = {
  tool: 'terraform-invictus',
  title: 'Terraform, a real deploy and teardown (invictus-ir/aws_dataset)',
  seed: '',
  hand: '`AdministratorAccess` (`arn:aws:iam::aws:policy/AdministratorAccess`), what a Terraform user usually holds',
  inputs: [],
  granted: 'arn:aws:iam::aws:policy/AdministratorAccess',
  notes:
    'This is real data: the CloudTrail logs of one account on 2023-07-10, in which `user/bert-jan` ran the Terraform deploy and teardown of a VPC, EC2 with instance profiles, Lambda, S3, RDS, KMS, SSM, Secrets Manager and a trail (`../shared/data/cloudtrail/invictus-aws-dataset`, MIT; never copied into this repository). It also holds console sign-ins and calls AWS services made for the user, which iamtrail excludes with a reason. Regenerate with `npx tsx test/scenarios/case-study.ts` (set `IAMTRAIL_SHARED_DATA` if the corpus is elsewhere).',
}
export const TERRAFORM_PRINCIPAL = 'arn:aws:iam::123837392027:user/bert-jan'

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const t of TOOLS) {
    const dir = join(HERE, t.tool)
    const n = await numbers(
      t.inputs.map((i) => join(dir, i)),
      join(dir, t.granted),
    )
    writeFileSync(join(REPO, 'docs', 'case-studies', `${t.tool}.md`), renderCaseStudy(t, n))
  }
  const logs = sharedData(...INVICTUS_LOGS)
  if (logs) {
    const n = await numbers([logs], TERRAFORM.granted, TERRAFORM_PRINCIPAL)
    writeFileSync(join(REPO, 'docs', 'case-studies', `${TERRAFORM.tool}.md`), renderCaseStudy(TERRAFORM, n))
  }
}
