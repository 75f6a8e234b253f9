import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeOutput } from '../cli/output.js'
import { IamtrailError } from '../errors.js'
import { CREEP_SCHEMA, type CreepReport } from './report.js'

/**
 * `--history DIR`: every report is kept as `creep-<time>.json`; the newest one is the baseline of
 * the next. Each principal's section carries its trend, last uses and first grants forward, so
 * only the newest report is read.
 */
export async function latestReport(dir: string): Promise<CreepReport | undefined> {
  if (dir.startsWith('s3://'))
    throw new IamtrailError(
      `--history ${dir}: S3 history is not supported yet; sync a local directory (aws s3 sync) before and after`,
    )
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => /^creep-\d{8}T\d{9}Z\.json$/.test(n)).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new IamtrailError(`--history ${dir}: ${(err as Error).message}`)
  }
  const newest = names.at(-1)
  if (!newest) return undefined
  const path = join(dir, newest)
  let report: CreepReport
  try {
    report = JSON.parse(await readFile(path, 'utf8')) as CreepReport
  } catch (err) {
    throw new IamtrailError(`${path}: not a readable creep report (${(err as Error).message})`)
  }
  if (report.schema !== CREEP_SCHEMA)
    throw new IamtrailError(`${path}: schema ${report.schema}, this iamtrail reads ${CREEP_SCHEMA}`)
  return report
}

export async function saveReport(dir: string, report: CreepReport): Promise<string> {
  await mkdir(dir, { recursive: true })
  const stamp = report.generatedAt.replace(/[-:.]/g, '')
  const path = join(dir, `creep-${stamp}.json`)
  await writeOutput(`${JSON.stringify(report, null, 2)}\n`, path, false)
  return path
}
