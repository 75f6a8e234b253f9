import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { apiCall } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

/** Issue 16, first use: the stderr summary reads as English and no warning fills the screen. */
describe('the stderr summary', () => {
  it('says "1 event" and names a few resource types of ec2:CreateTags, not ~120', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iamtrail-summary-'))
    const file = join(dir, 'one.json')
    const event = apiCall({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateTags',
      requestParameters: { tagSet: { items: [{ key: 'team', value: 'web' }] } },
    })
    writeFileSync(file, JSON.stringify({ Records: [event] }))
    const r = await runCli(['policy', file])
    expect(r.stderr).toMatch(/iamtrail: 1 event read from 1 input\n/)
    const warning = r.stderr.split('\n').find((l) => l.includes('ec2:CreateTags'))
    expect(warning, r.stderr).toBeDefined()
    expect(warning).toMatch(/and \d+ more|or \d+ more/)
    expect(warning!.length).toBeLessThan(300)
  })
})
