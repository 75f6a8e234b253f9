import { readdir, readFile } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../support/shared-data.js'

const SRC = join(REPO_ROOT, 'src')
const CLI = join(SRC, 'cli')

async function sources(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await sources(p)))
    else if (e.name.endsWith('.ts')) out.push(p)
  }
  return out
}

// Static imports, re-exports and dynamic import(): every way one module reaches another.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)['"]([^'"]+)['"]/gm

describe('the core never reaches up into the CLI (issue 16.14)', () => {
  it('no file under src/ outside src/cli imports from src/cli', async () => {
    const files = (await sources(SRC)).filter((f) => !f.startsWith(CLI + sep))
    expect(files.length).toBeGreaterThan(50)
    const offenders: string[] = []
    for (const file of files) {
      const text = await readFile(file, 'utf8')
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1]!
        if (!spec.startsWith('.')) continue
        const target = resolve(file, '..', spec)
        if (target === CLI || target.startsWith(CLI + sep))
          offenders.push(`${relative(REPO_ROOT, file)} imports ${spec}`)
      }
    }
    expect(offenders).toEqual([])
  })
})
