import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ACCOUNT, apiCall } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

// A name no IAM quota allows in one managed policy: no split can make the document fit.
const longName = `app-${'x'.repeat(7000)}`
const events = [
  apiCall({
    eventSource: 'iam.amazonaws.com',
    eventName: 'GetRole',
    requestParameters: { roleName: longName },
    resources: [{ type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/${longName}` }],
  }),
  apiCall({ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' }),
]
const ndjson = events.map((e) => JSON.stringify(e)).join('\n')

describe('--max-size is a limit, not a hint (issue 16.11)', () => {
  it('fails, naming the statement, its size, the limit and the long value, and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iamtrail-size-'))
    const out = join(dir, 'policy.json')
    const r = await runCli(['policy', '-', '--resources', 'exact', '-o', out], { stdin: ndjson })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/statement \S+ needs \d{4,} characters/)
    expect(r.stderr).toContain('more than --max-size 6144')
    expect(r.stderr).toContain(`arn:aws:iam::${ACCOUNT}:role/app-xxx`)
    expect(r.stderr).toContain('(7035 characters)')
    expect(r.stderr).toContain('No policy was written')
    expect(await readdir(dir)).toEqual([])
  })

  it('still fails for every output format, and passes once the limit allows the statement', async () => {
    for (const format of ['cloudformation', 'terraform', 'markdown']) {
      const r = await runCli(['policy', '-', '--resources', 'exact', '--format', format], { stdin: ndjson })
      expect(r.code, format).toBe(1)
      expect(r.stdout, format).toBe('')
    }
    const ok = await runCli(['policy', '-', '--resources', 'exact', '--max-size', '10240', '-q'], {
      stdin: ndjson,
    })
    expect(ok.code, ok.stderr).toBe(0)
    for (const doc of [JSON.parse(ok.stdout)].flat())
      expect(JSON.stringify(doc).length).toBeLessThanOrEqual(10240)
  })
})
