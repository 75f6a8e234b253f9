import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import type { PolicyDocument } from '../policy/document.js'
import { normalizedEventName } from '../reduce/actions.js'
import { operationModel } from '../reduce/model/lookup.js'
import { servicePrefixOf } from '../reduce/service-prefix.js'
import type { UsedGrant } from '../reduce/usage.js'
import { requestsFor } from './context.js'
import { type Decision, evaluate } from './evaluate.js'

export interface ModelGap {
  /** `eventSource:eventName` of the recorded call. */
  call: string
  action: string
  resource: string
  /** Where the model has the action from (the SAR table, an override with its reason). */
  source: string
  decision: Decision
}

/**
 * The check `--verify` adds beside the replay: the replay can only confirm the grants iamtrail
 * derived, so for every recorded call this asks the operation model instead — each action the
 * model says the call always authorizes must be allowed by the policy, on the resources the call's
 * own grants name. A gap is a mapping that lost an action, or a synthesis that dropped one.
 * Conditional actions (tags, roles, layers) depend on request members the grants no longer carry;
 * the mapper applies them from the same table, so they are replayed with the grants.
 */
export function checkAgainstModel(
  grants: readonly UsedGrant[],
  principal: string,
  documents: readonly PolicyDocument[],
  /** The facts `verifyPolicy` replays with (tags set at create, the resource's account). */
  factsOf?: (g: UsedGrant) => Record<string, string[]>,
): ModelGap[] {
  const granted = { identity: documents.map((document, i) => ({ name: `policy-${i + 1}`, document })) }
  const byCall = new Map<string, UsedGrant[]>()
  for (const g of grants)
    for (const c of g.evidence.calls) {
      const list = byCall.get(c)
      if (list) list.push(g)
      else byCall.set(c, [g])
    }
  const gaps: ModelGap[] = []
  for (const [call, callGrants] of [...byCall].sort(([a], [b]) => a.localeCompare(b))) {
    const cut = call.lastIndexOf(':')
    const eventSource = call.slice(0, cut)
    const prefix = servicePrefixOf(eventSource)
    const name = normalizedEventName({ eventSource, eventName: call.slice(cut + 1) } as CloudTrailEvent)
    // API Gateway's actions are HTTP verbs, alternatives chosen by path: not a set to check.
    if (prefix === 'apigateway') continue
    for (const m of operationModel(prefix, name) ?? []) {
      if (m.when !== undefined) continue
      const own = callGrants.filter((g) => g.action.toLowerCase() === m.action.toLowerCase())
      // Resources of the call's own grants of that action; else of its grants of the same service.
      const service = m.action.split(':')[0]!.toLowerCase()
      const like = own.length
        ? own
        : callGrants.filter((g) => g.action.split(':')[0]!.toLowerCase() === service).slice(0, 1)
      const probes: UsedGrant[] = like.length
        ? like.map((g) => ({ ...g, action: m.action }))
        : [{ ...callGrants[0]!, action: m.action, resource: '*' }]
      for (const probe of probes) {
        const denied = requestsFor(probe, principal, factsOf?.(probe))
          .map((req) => ({ req, decision: evaluate(req, granted) }))
          .find((r) => r.decision.result !== 'allowed')
        if (denied) {
          gaps.push({
            call,
            action: m.action,
            resource: probe.resource,
            source: m.source,
            decision: denied.decision,
          })
          break
        }
      }
    }
  }
  return gaps
}
