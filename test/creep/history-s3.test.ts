import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { s3History } from '../../src/creep/history.js'
import { CREEP_SCHEMA, type CreepReport } from '../../src/creep/report.js'

/** `--history s3://…` at the SDK boundary: paginated listing, newest report read, new one written once. */
const s3 = mockClient(S3Client)
beforeEach(() => s3.reset())

const report = (generatedAt: string): CreepReport => ({
  schema: CREEP_SCHEMA,
  generatedAt,
  window: { start: '2026-10-22T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z' },
  settings: { exclude: [] },
  coverage: { sources: ['files'], regions: [], gaps: [], blindSpots: '' },
  ranking: [],
  principals: [],
})
/** What the SDK's streaming body offers readers; the history reads it with transformToString. */
const body = (text: string) => ({ transformToString: async () => text })

describe('creep history in S3', () => {
  it('lists every page, reads the newest report, and writes the next one without replacing anything', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'audit', Prefix: 'creep/', ContinuationToken: undefined }).resolves(
      {
        IsTruncated: true,
        NextContinuationToken: 't2',
        Contents: [{ Key: 'creep/creep-20261101T000000000Z.json' }, { Key: 'creep/notes.txt' }],
      },
    )
    s3.on(ListObjectsV2Command, { Bucket: 'audit', Prefix: 'creep/', ContinuationToken: 't2' }).resolves({
      IsTruncated: false,
      Contents: [
        { Key: 'creep/creep-20261115T000000000Z.json' },
        { Key: 'creep/creep-20261108T000000000Z.json' },
      ],
    })
    s3.on(GetObjectCommand, { Bucket: 'audit', Key: 'creep/creep-20261115T000000000Z.json' }).resolves({
      Body: body(JSON.stringify(report('2026-11-15T00:00:00.000Z'))),
    } as never)
    s3.on(PutObjectCommand).resolves({})
    const h = s3History('s3://audit/creep', s3 as unknown as S3Client)
    expect((await h.latest())?.generatedAt).toBe('2026-11-15T00:00:00.000Z')
    expect(await h.save(report('2026-11-22T10:00:00.123Z'))).toBe(
      's3://audit/creep/creep-20261122T100000123Z.json',
    )
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input
    expect(put.IfNoneMatch).toBe('*')
    expect(JSON.parse(String(put.Body)).generatedAt).toBe('2026-11-22T10:00:00.123Z')
  })

  it('an empty prefix has no previous report; an access error names the permission', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: false })
      .rejects(
        new S3ServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: {},
          message: 'Access Denied',
        }),
      )
    const h = s3History('s3://audit/creep/', s3 as unknown as S3Client)
    expect(await h.latest()).toBeUndefined()
    await expect(h.latest()).rejects.toThrow(/s3:ListBucket failed \(AccessDenied/)
    expect(() => s3History('s3://', s3 as unknown as S3Client)).toThrow(/expected s3:\/\/BUCKET/)
  })
})
