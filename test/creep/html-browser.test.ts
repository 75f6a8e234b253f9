import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import pixelmatch from 'pixelmatch'
import { type Browser, chromium } from 'playwright-core'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/**
 * The HTML creep report in a real headless browser (Debian chromium through playwright-core): it
 * renders offline, the chart shows every report of the history, clicking a header sorts, and a
 * screenshot matches the committed one (docs/images/creep-report.png) within a tolerance when the
 * browser is the one that made it. UPDATE_SCREENSHOT=1 rewrites it.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const present = existsSync(CHROMIUM)
if (!present)
  console.warn(`SKIPPED: the browser tests need chromium at ${CHROMIUM} (apt-get install chromium)`)
const SCREENSHOT = join(REPO_ROOT, 'docs', 'images', 'creep-report.png')
const BROWSER_NOTE = join(REPO_ROOT, 'docs', 'images', 'creep-report.browser')

const AUTH = 'test/creep/fixtures/auth.json'
const INPUTS = ['examples/cfn-lambda-deploy.rec', 'test/synthesize/fixtures/cfn-lambda-teardown.rec']

describe.skipIf(!present)('the HTML creep report in a browser', () => {
  let browser: Browser
  let page: string
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iamtrail-html-'))
    const history = join(dir, 'history')
    for (const end of ['2026-11-21T00:00Z', '2026-11-22T00:00Z']) {
      const r = await runCli([
        'creep',
        '-q',
        '--all-roles',
        '--granted',
        AUTH,
        '--window',
        '7d',
        '--end',
        end,
        '--history',
        history,
        '--format',
        'json',
        ...INPUTS,
      ])
      expect(r.code, r.stderr).toBe(0)
    }
    page = join(dir, 'report.html')
    const r = await runCli([
      'creep',
      '-q',
      '--all-roles',
      '--granted',
      AUTH,
      '--window',
      '7d',
      '--end',
      '2026-12-20T00:00Z',
      '--history',
      history,
      '--format',
      'html',
      '-o',
      page,
      ...INPUTS,
    ])
    expect(r.code, r.stderr).toBe(0)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--font-render-hinting=none'],
    })
  }, 60_000)
  afterAll(async () => browser?.close())

  it('renders without any network request, with a chart point for each of the three reports', async () => {
    const p = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const requests: string[] = []
    p.on('request', (req) => requests.push(req.url()))
    await p.goto(pathToFileURL(page).href)
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([])
    expect(await p.title()).toMatch(/Privilege creep report/)
    const chart = p.locator('#p0 figure.trend svg')
    await expect(chart.locator('circle.granted').count()).resolves.toBe(3)
    await expect(chart.locator('circle.used').count()).resolves.toBe(3)
    const labels = await chart.locator('text').allTextContents()
    expect(labels).toEqual(expect.arrayContaining(['2026-11-21', '2026-11-22', '2026-12-20']))
    await p.close()
  })

  it('sorts a table when its header is clicked, both ways', async () => {
    const p = await browser.newPage()
    await p.goto(pathToFileURL(page).href)
    const names = () => p.locator('#ranking tbody tr td:nth-child(2)').allTextContents()
    const before = await names()
    expect(before).toHaveLength(2)
    const header = p.locator('#ranking th', { hasText: 'principal' })
    await header.click()
    const asc = await names()
    expect(asc).toEqual([...before].sort())
    await header.click()
    expect(await names()).toEqual([...asc].reverse())
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending')
    await p.close()
  })

  it('looks like the committed screenshot', async () => {
    const p = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 })
    await p.goto(pathToFileURL(page).href)
    const shot = PNG.sync.read(await p.screenshot({ fullPage: true }))
    await p.close()
    // The chart is drawn (below the alarms and lists, so the whole page is taken): both series' colours are on it.
    const has = (r: number, g: number, b: number) => {
      for (let i = 0; i < shot.data.length; i += 4)
        if (
          Math.abs(shot.data[i]! - r) < 8 &&
          Math.abs(shot.data[i + 1]! - g) < 8 &&
          Math.abs(shot.data[i + 2]! - b) < 8
        )
          return true
      return false
    }
    expect(has(0xb4, 0x23, 0x18)).toBe(true)
    expect(has(0x15, 0x70, 0xef)).toBe(true)
    const version = browser.version()
    if (process.env.UPDATE_SCREENSHOT || !existsSync(SCREENSHOT)) {
      writeFileSync(SCREENSHOT, PNG.sync.write(shot))
      writeFileSync(BROWSER_NOTE, `${version}\n`)
    }
    const madeWith = readFileSync(BROWSER_NOTE, 'utf8').trim()
    if (madeWith.split('.')[0] !== version.split('.')[0]) {
      console.warn(`screenshot comparison skipped: made with chromium ${madeWith}, running ${version}`)
      return
    }
    const ref = PNG.sync.read(readFileSync(SCREENSHOT))
    expect([shot.width, shot.height]).toEqual([ref.width, ref.height])
    const differing = pixelmatch(ref.data, shot.data, undefined, ref.width, ref.height, { threshold: 0.2 })
    // The generated-at time differs between runs; everything else must match.
    expect(differing / (ref.width * ref.height)).toBeLessThan(0.01)
  })
})
