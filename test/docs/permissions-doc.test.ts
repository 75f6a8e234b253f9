import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import { REPO_ROOT } from '../support/shared-data.js'

/** docs/permissions.md is advice users paste into IAM: every action in it must exist. */
describe('docs/permissions.md', () => {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'permissions.md'), 'utf8')
  const policies = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map(
    (m) => JSON.parse(m[1] as string) as { Statement: { Action: string[] }[] },
  )

  it('holds valid policies, and each action they grant is described in a table', () => {
    expect(policies.length).toBeGreaterThanOrEqual(2)
    for (const a of policies.flatMap((p) => p.Statement.flatMap((s) => s.Action))) {
      expect(text).toContain(`| \`${a}\` |`)
    }
  })

  it('lists every IAM call the granted-policy loader makes', () => {
    const loader = readFileSync(join(REPO_ROOT, 'src', 'granted', 'load-iam.ts'), 'utf8')
    const calls = new Set([...loader.matchAll(/new (\w+)Command\(/g)].map((m) => `iam:${m[1]}`))
    expect(calls.size).toBeGreaterThan(10)
    for (const a of calls) expect(text).toContain(`| \`${a}\` |`)
  })

  it('names only actions of the Service Authorization Reference', async () => {
    const catalog = new Catalog()
    for (const action of policies.flatMap((p) => p.Statement.flatMap((s) => s.Action))) {
      const [prefix, name] = action.split(':') as [string, string]
      await catalog.ensureService(prefix)
      expect(catalog.action(prefix, name), action).toBeDefined()
    }
  })
})
