import { describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import { EVENT_SOURCE_PREFIX } from '../../src/reduce/service-prefix.js'
import { apiCall } from '../support/events.js'

/**
 * Runs every operation the Service Authorization Reference knows through the mapper, as an event
 * named like the action from the service's eventSource. Nothing it emits may be outside the SAR, and
 * an operation named like its action must map to that action (rename rules aside).
 */
describe('sanity: every SAR action through the mapper', () => {
  it('emits only real actions and maps same-name operations to themselves', async () => {
    const catalog = new Catalog()
    await catalog.ensureAll()
    const mapper = createMapper(catalog)
    const sourceOf = new Map<string, string>()
    for (const [source, { prefix }] of Object.entries(EVENT_SOURCE_PREFIX))
      if (!sourceOf.has(prefix)) sourceOf.set(prefix, source)
    const fake: string[] = []
    const lost: string[] = []
    let total = 0
    for (const prefix of await catalog.prefixes()) {
      const service = catalog.service(prefix)
      if (!service) continue
      const eventSource = sourceOf.get(prefix) ?? `${prefix}.amazonaws.com`
      for (const action of service.actions.values()) {
        total++
        const m = mapper.map(apiCall({ eventSource, eventName: action.name }))
        if (m.kind === 'mapped') {
          for (const g of m.grants) {
            const [p, a] = g.action.split(':') as [string, string]
            if (!catalog.action(p, a)) fake.push(`${prefix}:${action.name} → ${g.action}`)
          }
        } else if (m.kind === 'unmapped') lost.push(`${prefix}:${action.name}: ${m.reason}`)
      }
    }
    expect(total).toBeGreaterThan(15000)
    expect(fake).toEqual([])
    // Documented gaps: API Gateway authorizes HTTP verbs, so its SAR "actions" are verbs, not operations.
    expect(lost.filter((l) => !l.startsWith('apigateway:'))).toEqual([])
  })
})
