import type { Catalog } from '../catalog/catalog.js'
import type { GrantedPolicies } from '../granted/evaluate.js'
import { asArray } from '../policy/document.js'
import { type ExpandedStatements, statementLabel } from './diff-policy.js'

/** Each identity statement's actions, with wildcards and NotAction expanded over the whole reference. */
export async function expandStatements(
  granted: GrantedPolicies,
  catalog: Catalog,
): Promise<ExpandedStatements> {
  const out = new Map<string, string[]>()
  for (const p of granted.identity) {
    for (const [index, st] of p.document.Statement.entries()) {
      const label = statementLabel(
        st.Sid ? { policy: p.name, index, sid: st.Sid } : { policy: p.name, index },
      )
      let actions: string[]
      if (st.NotAction !== undefined) {
        const excluded = new Set<string>()
        for (const pat of asArray(st.NotAction))
          for (const a of await catalog.expandAction(pat)) excluded.add(a)
        actions = (await catalog.expandAction('*')).filter((a) => !excluded.has(a))
      } else {
        const set = new Set<string>()
        for (const pat of asArray(st.Action)) for (const a of await catalog.expandAction(pat)) set.add(a)
        actions = [...set].sort()
      }
      out.set(label, actions)
    }
  }
  return out
}
