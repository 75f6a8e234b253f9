import type { Catalog } from '../catalog/catalog.js'
import { IamtrailError } from '../errors.js'
import type { Finding } from '../findings.js'
import type { PolicyDocument } from '../policy/document.js'
import type { Usage } from '../reduce/usage.js'
import { compactActions } from './action-wildcards.js'
import { type Generalization, generalizeUsage, type ResourceMode } from './generalize.js'
import { assertWithinLimit, LIMITS, policySize, splitPolicy } from './limits.js'
import type { CreationIndex } from './provenance.js'
import { synthesizePolicy } from './statements.js'

export interface BuildOptions {
  resources: ResourceMode
  excludeDenied: boolean
  restrictRegions: boolean
  allowActionWildcards: boolean
  maxSize: number
  maxPolicies: number
  /** What the inputs created: the evidence `generalize` widens by (nothing widens without it). */
  creations?: CreationIndex
}

export interface BuiltPolicy {
  documents: PolicyDocument[]
  sizes: number[]
  generalizations: Generalization[]
  /** Widenings nothing could scope, prefix scopes and what they admit. */
  findings: Finding[]
  /** The usage the documents were synthesized from (after generalization). */
  usage: Usage
}

export const DEFAULT_BUILD: BuildOptions = {
  resources: { kind: 'generalize' },
  excludeDenied: false,
  restrictRegions: false,
  allowActionWildcards: false,
  maxSize: LIMITS.managed,
  maxPolicies: LIMITS.managedPerRole,
}

/** Usage → deployable documents: generalize, group, optionally compact, split to the size limit. */
export function buildPolicy(usage: Usage, catalog: Catalog, opts: BuildOptions): BuiltPolicy {
  const {
    usage: general,
    report,
    findings,
  } = generalizeUsage(usage, opts.resources, {
    catalog,
    ...(opts.creations ? { creations: opts.creations } : {}),
  })
  const accessLevel = (a: string) => {
    const [p, n] = a.split(':') as [string, string]
    return catalog.action(p, n)?.accessLevel
  }
  let doc = synthesizePolicy(general, {
    excludeDenied: opts.excludeDenied,
    accessLevel,
    ...(opts.restrictRegions ? { restrictRegions: usage.regions } : {}),
  })
  if (opts.allowActionWildcards) doc = compactActions(doc, catalog)
  const documents = splitPolicy(doc, opts.maxSize)
  assertWithinLimit(documents, opts.maxSize)
  if (documents.length > opts.maxPolicies) {
    throw new IamtrailError(
      `the policy needs ${documents.length} documents of at most ${opts.maxSize} characters, more than --max-policies ${opts.maxPolicies}; ` +
        'try --allow-action-wildcards, a naming scope with --resources prefix:<p>, or raise --max-policies (a role takes 10 managed policies by default)',
    )
  }
  return {
    documents,
    sizes: documents.map(policySize),
    generalizations: report,
    findings,
    usage: general,
  }
}

export function parseResourceMode(value: string): ResourceMode {
  if (value === 'exact' || value === 'generalize') return { kind: value }
  if (value.startsWith('prefix:')) {
    const prefixes = value
      .slice('prefix:'.length)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
    if (prefixes.length) return { kind: 'prefix', prefixes }
  }
  throw new IamtrailError(`--resources ${value}: use exact, generalize, or prefix:<p>[,<p>...]`)
}
