import type { Catalog } from '../catalog/catalog.js'
import type { PolicyDocument } from '../policy/document.js'

/**
 * `--allow-action-wildcards`: replaces the actions of a statement that share a verb (`s3:Get…`) by
 * `s3:Get*`, but only when every action the wildcard covers is already in the statement. The policy
 * shrinks and grants nothing the recording did not use.
 */
export function compactActions(doc: PolicyDocument, catalog: Catalog): PolicyDocument {
  return {
    ...doc,
    Statement: doc.Statement.map((st) => {
      const actions = st.Action as string[] | undefined
      if (!Array.isArray(actions) || actions.length < 2) return st
      const have = new Set(actions)
      const out = new Set<string>()
      for (const a of actions) {
        const [svc, name] = a.split(':') as [string, string]
        const verb = /^[A-Z][a-z]+/.exec(name)?.[0]
        const all = verb
          ? [...(catalog.service(svc)?.actions.values() ?? [])].filter((x) => x.name.startsWith(verb))
          : []
        out.add(all.length > 1 && all.every((x) => have.has(`${svc}:${x.name}`)) ? `${svc}:${verb}*` : a)
      }
      return { ...st, Action: [...out].sort() }
    }),
  }
}
