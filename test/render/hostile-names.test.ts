import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { mdCode, mdFence, mdText, terminalBlock, terminalSafe } from '../../src/render/escape.js'
import { ACCOUNT, apiCall } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

/**
 * Issue 16.5: names in events are chosen by whoever names a resource an application touches. They
 * must not break the markdown a reviewer reads (tables, headings, code spans, fenced blocks) nor
 * reach the terminal as escape sequences. The markdown is checked by parsing it with markdown-it
 * (CommonMark + GFM tables), as GitHub renders a pull-request comment.
 */
const md = new MarkdownIt()

const ESC = '\u001b'
const QUEUE = 'q|x\n## Injected heading'
const KEY = 'reports/a`b``c|d ```json'
const ROLE = `evil${ESC}[2J${ESC}]0;owned${ESC}\\name`
const CALL = 'Do|It\n# Owned'

function hostileInputs(): string {
  const events = [
    apiCall({
      eventSource: 'sqs.amazonaws.com',
      eventName: 'CreateQueue',
      requestParameters: { queueName: QUEUE },
      responseElements: { queueUrl: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/${QUEUE}` },
    }),
    apiCall({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutObject',
      eventCategory: 'Data',
      requestParameters: { bucketName: 'reports-bucket', key: KEY },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::reports-bucket/${KEY}` },
        { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::reports-bucket' },
      ],
    }),
    apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetRole',
      requestParameters: { roleName: ROLE },
    }),
    apiCall({ eventSource: 'unknown-thing.amazonaws.com', eventName: CALL }),
  ]
  const dir = mkdtempSync(join(tmpdir(), 'iamtrail-hostile-'))
  const file = join(dir, 'events.json')
  writeFileSync(file, JSON.stringify({ Records: events }))
  return file
}

/** Every heading's text, and every table row's cells with their inline content as text. */
function structure(markdown: string) {
  const tokens = md.parse(markdown, {})
  const headings: string[] = []
  const rows: { table: number; cells: string[]; code: string[] }[] = []
  let row: { table: number; cells: string[]; code: string[] } | undefined
  let table = 0
  for (const [i, t] of tokens.entries()) {
    if (t.type === 'heading_open') headings.push(tokens[i + 1]!.content)
    if (t.type === 'table_open') table++
    if (t.type === 'tr_open') row = { table, cells: [], code: [] }
    if (t.type === 'inline' && row) {
      row.cells.push(t.content)
      for (const c of t.children ?? []) if (c.type === 'code_inline') row.code.push(c.content)
    }
    if (t.type === 'tr_close' && row) {
      rows.push(row)
      row = undefined
    }
  }
  const fences = tokens.filter((t) => t.type === 'fence').map((t) => t.content)
  return { headings, rows, fences }
}

describe('escaping for each output (unit)', () => {
  it('a code span cannot be closed or a table cell ended by the value', () => {
    for (const v of ['a`b', '``x``', '`lead', 'trail`', 'p|q', 'plain']) {
      const tokens = md.parseInline(mdCode(v, { inTable: false }), {})[0]!.children!
      expect(tokens.map((t) => t.type)).toEqual(['code_inline'])
      expect(tokens[0]!.content.trim()).toBe(v.trim())
    }
    const table = md.render(`| a | b |\n|---|---|\n| ${mdCode('x|y`z')} | ${mdText('1|2 *b* <i>')} |\n`)
    expect(table).toContain('<code>x|y`z</code>')
    expect(table).toContain('1|2 *b* &lt;i&gt;')
    expect(table.match(/<td>/g)).toHaveLength(2)
  })

  it('a fenced block is longer than any backtick run inside it', () => {
    const text = '{"Resource": "arn:aws:s3:::b/```\\n# not a heading"}'
    const tokens = md.parse(mdFence('json', text).join('\n'), {})
    expect(tokens.map((t) => t.type)).toEqual(['fence'])
    expect(tokens[0]!.content).toBe(`${text}\n`)
  })

  it('terminal text shows control characters instead of obeying them', () => {
    expect(terminalSafe(`a${ESC}[31mred\nnext\r`)).toBe('a\\x1b[31mred\\x0anext\\x0d')
    expect(terminalBlock(`line ${ESC}[2J\nnext`)).toBe('line \\x1b[2J\nnext')
  })
})

describe('hostile names from events, end to end', () => {
  it('policy --format markdown: no injected heading, every row keeps its cells, names shown exactly', async () => {
    const input = hostileInputs()
    const r = await runCli(['policy', input, '--format', 'markdown'])
    expect(r.stdout).toContain('# Least-privilege policy')
    const { headings, rows, fences } = structure(r.stdout)
    expect(headings.join('\n')).not.toMatch(/Injected heading|Owned/)
    expect(headings.filter((h) => h.startsWith('Least-privilege policy'))).toHaveLength(1)
    // Each table's rows have as many cells as its header: a `|` in a name did not add one.
    const header = new Map<number, number>()
    for (const row of rows) {
      if (!header.has(row.table)) header.set(row.table, row.cells.length)
      expect(row.cells, row.cells.join(' | ')).toHaveLength(header.get(row.table)!)
    }
    const code = rows.flatMap((row) => row.code)
    expect(code).toContain(`arn:aws:s3:::reports-bucket/${KEY}`)
    expect(code).toContain(`arn:aws:sqs:eu-west-1:${ACCOUNT}:${terminalSafe(QUEUE)}`)
    expect(code).toContain(`unknown-thing.amazonaws.com:${terminalSafe(CALL)}`)
    // The policy block is one fence, whole: the backticks in the object key did not close it.
    expect(fences).toHaveLength(1)
    expect(JSON.parse(fences[0]!).Statement.length).toBeGreaterThan(0)
    expect(r.stdout).not.toContain(ESC)
    expect(r.stderr).not.toContain(ESC)
  })

  it('diff text and markdown, and the stderr summary, carry no escape sequence from an event', async () => {
    const input = hostileInputs()
    const dir = mkdtempSync(join(tmpdir(), 'iamtrail-hostile-granted-'))
    const granted = join(dir, 'granted.json')
    writeFileSync(
      granted,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sqs:GetQueueUrl', Resource: '*' }],
      }),
    )
    const text = await runCli(['diff', '--granted', granted, input])
    expect(text.stdout).toContain('MISSING')
    expect(text.stdout).toContain('\\x1b[2J')
    expect(text.stdout + text.stderr).not.toContain(ESC)
    const markdown = await runCli(['diff', '--granted', granted, input, '--format', 'markdown'])
    const { headings, rows } = structure(markdown.stdout)
    expect(headings.join('\n')).not.toMatch(/Injected heading|Owned/)
    const missing = rows.filter((row) => row.code.some((c) => c.startsWith('arn:aws:s3:::reports-bucket/')))
    expect(missing.length).toBeGreaterThan(0)
    for (const row of missing) expect(row.cells).toHaveLength(5)
    expect(markdown.stdout + markdown.stderr).not.toContain(ESC)
  })
})
