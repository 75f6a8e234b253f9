import { describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import { readInputs } from '../../src/collect/files/files.js'
import { FindingList } from '../../src/findings.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import { sharedData } from '../support/shared-data.js'

// Every real corpus except panther-analysis-tests (hand-edited, deliberately wrong pairs) and
// invictus-sessions (the same events as invictus-aws-dataset, split per principal).
const corpora = [
  ['cloudtrail', 'invictus-aws-dataset', 'CloudTrail'],
  ['cloudtrail', 'otrf-security-datasets-aws', 'ec2_proxy_s3_exfiltration_2020-09-14011940.json'],
  ['cloudtrail', 'trailscraper-fixtures', 'events-for-smoke-test.json'],
  [
    'cloudtrail',
    'trailscraper-fixtures',
    '111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz',
  ],
]
const paths = corpora.map((c) => sharedData(...c)).filter((p): p is string => p !== undefined)

describe.skipIf(paths.length === 0)('corpus: mapping coverage over every real event', () => {
  it('maps at least 99.5% of the events that need a permission to real IAM actions', async () => {
    const catalog = new Catalog()
    const mapper = createMapper(catalog)
    const sink = new FindingList()
    const stats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
    let needPermission = 0
    let mapped = 0
    const unmapped = new Map<string, string>()
    for await (const { event } of readInputs(paths, {}, { sink }, stats)) {
      for (const p of mapper.prefixesFor(event)) await catalog.ensureService(p)
      const m = mapper.map(event)
      if (m.kind === 'excluded') continue
      needPermission++
      if (m.kind === 'mapped') {
        mapped++
        for (const g of m.grants) {
          const [p, a] = g.action.split(':') as [string, string]
          expect(catalog.action(p, a), g.action).toBeDefined()
        }
      } else unmapped.set(`${event.eventSource}:${event.eventName}`, m.reason)
    }
    const share = mapped / needPermission
    console.log(
      `mapping coverage: ${mapped}/${needPermission} = ${(share * 100).toFixed(2)}% of events that need a permission`,
    )
    for (const [call, reason] of unmapped) console.log(`  unmapped ${call}: ${reason}`)
    expect(
      sink.items.filter((f) => f.severity === 'error'),
      JSON.stringify(sink.items.slice(0, 3)),
    ).toEqual([])
    expect(needPermission).toBeGreaterThan(2500)
    expect(share).toBeGreaterThanOrEqual(0.995)
  })
})
