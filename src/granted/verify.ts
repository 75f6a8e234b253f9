import type { PolicyDocument } from '../policy/document.js'
import type { UsedGrant } from '../reduce/usage.js'
import { requestsFor } from './context.js'
import { type Decision, evaluate } from './evaluate.js'

export interface VerifyFailure {
  action: string
  resource: string
  decision: Decision
}

/** Replays every grant against policy documents; what is not plainly allowed is a failure. */
export function verifyPolicy(
  grants: readonly UsedGrant[],
  principal: string,
  documents: readonly PolicyDocument[],
  /** Facts of each call the recording establishes (tags set at create, the resource's account). */
  factsOf?: (g: UsedGrant) => Record<string, string[]>,
): VerifyFailure[] {
  const granted = { identity: documents.map((document, i) => ({ name: `policy-${i + 1}`, document })) }
  const failures: VerifyFailure[] = []
  for (const g of grants) {
    for (const req of requestsFor(g, principal, factsOf?.(g))) {
      const decision = evaluate(req, granted)
      if (decision.result !== 'allowed') {
        failures.push({ action: g.action, resource: g.resource, decision })
        break
      }
    }
  }
  return failures
}
