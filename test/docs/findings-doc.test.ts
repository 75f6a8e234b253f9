import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { renderFindingsDoc } from '../../src/findings-doc.js'
import { REPO_ROOT } from '../support/shared-data.js'

it('docs/findings.md lists every finding code of the registry', async () => {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'findings.md'), 'utf8')
  expect(doc, 'run npm run docs:findings').toBe(renderFindingsDoc())
})
