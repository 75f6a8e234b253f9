import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'

const s3sdk = () => import('@aws-sdk/client-s3')

import { IamtrailError } from '../errors.js'
import { writeFileAtomic } from '../io/atomic-write.js'
import { CREEP_SCHEMA, type CreepReport } from './report.js'

/**
 * `--history DIR|s3://bucket/prefix/`: every report is kept as `creep-<generated time>.json`; the
 * newest one is the baseline of the next. Each principal's section carries its trend, last uses and
 * first grants forward, so only the newest report is ever read.
 */
export interface HistoryStore {
  readonly where: string
  latest(): Promise<CreepReport | undefined>
  save(report: CreepReport): Promise<string>
}

const NAME = /^creep-\d{8}T\d{9}Z\.json$/
const fileName = (r: CreepReport) => `creep-${r.generatedAt.replace(/[-:.]/g, '')}.json`

function parse(text: string, where: string): CreepReport {
  let report: CreepReport
  try {
    report = JSON.parse(text) as CreepReport
  } catch (err) {
    throw new IamtrailError(`${where}: not a readable creep report (${(err as Error).message})`)
  }
  if (report.schema !== CREEP_SCHEMA)
    throw new IamtrailError(`${where}: schema ${report.schema}, this iamtrail reads ${CREEP_SCHEMA}`)
  return report
}

export function directoryHistory(dir: string): HistoryStore {
  return {
    where: dir,
    async latest() {
      let names: string[]
      try {
        names = (await readdir(dir)).filter((n) => NAME.test(n)).sort()
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw new IamtrailError(`--history ${dir}: ${(err as Error).message}`)
      }
      const newest = names.at(-1)
      return newest ? parse(await readFile(join(dir, newest), 'utf8'), join(dir, newest)) : undefined
    },
    async save(report) {
      await mkdir(dir, { recursive: true })
      const path = join(dir, fileName(report))
      await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`, false)
      return path
    },
  }
}

/** The narrow port to S3: only `send`, faked at the SDK boundary in tests. */
export type S3Port = Pick<S3Client, 'send'>

export function s3History(uri: string, s3: S3Port): HistoryStore {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?(.*)$/.exec(uri)
  if (!m) throw new IamtrailError(`--history ${uri}: expected s3://BUCKET/PREFIX/`)
  const Bucket = m[1]!
  const prefix = m[2] && !m[2].endsWith('/') ? `${m[2]}/` : (m[2] ?? '')
  const failed = (what: string, err: unknown) =>
    new IamtrailError(
      `--history ${uri}: ${what} failed (${(err as Error).name}: ${(err as Error).message})`,
      'environment',
    )
  return {
    where: uri,
    async latest() {
      const { GetObjectCommand, ListObjectsV2Command } = await s3sdk()
      let newest: string | undefined
      let ContinuationToken: string | undefined
      try {
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }))
          for (const o of page.Contents ?? []) {
            const name = o.Key?.slice(prefix.length)
            if (name && NAME.test(name) && (!newest || name > newest)) newest = name
          }
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
        } while (ContinuationToken)
      } catch (err) {
        throw failed('s3:ListBucket', err)
      }
      if (!newest) return undefined
      try {
        const o = await s3.send(new GetObjectCommand({ Bucket, Key: `${prefix}${newest}` }))
        return parse(await o.Body!.transformToString(), `s3://${Bucket}/${prefix}${newest}`)
      } catch (err) {
        if (err instanceof IamtrailError) throw err
        throw failed('s3:GetObject', err)
      }
    },
    async save(report) {
      const { PutObjectCommand } = await s3sdk()
      const Key = `${prefix}${fileName(report)}`
      try {
        // IfNoneMatch: never replace a report that is already there.
        await s3.send(
          new PutObjectCommand({
            Bucket,
            Key,
            Body: `${JSON.stringify(report, null, 2)}\n`,
            ContentType: 'application/json',
            IfNoneMatch: '*',
          }),
        )
      } catch (err) {
        throw failed('s3:PutObject', err)
      }
      return `s3://${Bucket}/${Key}`
    },
  }
}
