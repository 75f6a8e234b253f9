import { describe, expect, it } from 'vitest'
import type { CreepReport } from '../../src/creep/report.js'
import { KEY, useFakeAws } from '../support/fake-aws-cli.js'
import { runCli } from '../support/run-cli.js'

/** `creep --source lookup`: usage from CloudTrail LookupEvents over real HTTP (the fake CloudTrail). */
const t = useFakeAws()

describe('iamtrail creep --source lookup', () => {
  it('reads the window from LookupEvents and reports against the granted policies', async () => {
    for (const eventName of ['CreateQueue', 'DeleteQueue'])
      await fetch(`${t.aws.url}/__emit`, {
        method: 'POST',
        body: JSON.stringify({
          accessKeyId: KEY,
          region: 'eu-west-1',
          eventSource: 'sqs.amazonaws.com',
          eventName,
        }),
      })
    await new Promise((r) => setTimeout(r, 500)) // the fake CloudTrail delivers after 400 ms
    const r = await runCli(
      [
        'creep',
        '--source',
        'lookup',
        '--principal',
        'arn:aws:iam::123456789012:role/deployer',
        '--granted',
        'test/creep/fixtures/auth.json',
        '--window',
        '1d',
        '--end',
        new Date(Date.now() + 1000).toISOString(),
        '--regions',
        'eu-west-1',
        '--format',
        'json',
        '-q',
      ],
      { env: t.env() },
    )
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as CreepReport
    const p = report.principals[0]!
    // The deployer's policy has no sqs statement: what it used is missing, and everything it holds is unused.
    expect(p.missing.map((m) => m.action).sort()).toEqual(['sqs:CreateQueue', 'sqs:DeleteQueue'])
    expect(p.used).toEqual([])
    expect(report.coverage.sources).toEqual(['lookup'])
    expect(report.coverage.blindSpots).toMatch(/LookupEvents/)
    expect(t.aws.requests.some((q) => q.target === 'LookupEvents')).toBe(true)
  })
})
