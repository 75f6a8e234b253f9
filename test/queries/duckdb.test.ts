import type { DuckDBConnection } from '@duckdb/node-api'
import { beforeAll, describe, expect, it } from 'vitest'
import { rowToEvent } from '../../src/collect/athena/athena-rows.js'
import {
  loadDdl,
  loadQuery,
  principalEventsParams,
  usageParams,
  windowParams,
} from '../../src/collect/athena/athena-sql.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { cloudTrailTable, runQuery } from '../support/athena-table.js'
import { ACCOUNT, apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'

/**
 * The real query text of queries/ runs on DuckDB over fixture logs loaded into a table with the
 * columns and nested types of the Athena CloudTrail table, partitioned like it (region, "timestamp").
 */
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`
const s1 = roleSessionIdentity('deployer', 'run-1', 'ASIAEXAMPLESESSION01')
const s2 = roleSessionIdentity('deployer', 'run-2', 'ASIAEXAMPLESESSION02')
const events: CloudTrailEvent[] = [
  apiCall({
    eventSource: 'cloudformation.amazonaws.com',
    eventName: 'CreateStack',
    userIdentity: s1,
    eventTime: '2026-11-20T10:01:00Z',
    requestParameters: { stackName: 'app' },
  }),
  apiCall({
    eventSource: 's3.amazonaws.com',
    eventName: 'CreateBucket',
    userIdentity: { ...s1, invokedBy: 'cloudformation.amazonaws.com' },
    eventTime: '2026-11-20T10:02:00Z',
    requestParameters: { bucketName: 'app-assets' },
    resources: [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::app-assets', accountId: ACCOUNT }],
  }),
  apiCall({
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateRole',
    userIdentity: s2,
    awsRegion: 'us-east-1',
    eventTime: '2026-11-21T09:00:00Z',
    requestParameters: { roleName: 'app-exec' },
  }),
  apiCall({
    eventSource: 'iam.amazonaws.com',
    eventName: 'GetRole',
    userIdentity: s2,
    awsRegion: 'us-east-1',
    eventTime: '2026-11-21T09:00:05Z',
    errorCode: 'NoSuchEntity',
    requestParameters: { roleName: 'app-exec' },
  }),
  // Outside the window, and another principal:
  apiCall({
    eventSource: 's3.amazonaws.com',
    eventName: 'DeleteBucket',
    userIdentity: s1,
    eventTime: '2026-11-22T12:00:00Z',
  }),
  apiCall({
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    userIdentity: userIdentity('admin'),
    awsRegion: 'us-east-1',
    eventTime: '2026-11-20T10:03:00Z',
  }),
]

let con: DuckDBConnection

beforeAll(async () => {
  con = await cloudTrailTable(events)
})

const query = (sql: string, params: string[]) => runQuery(con, sql, params)

const window = {
  start: new Date('2026-11-20T00:00:00Z'),
  end: new Date('2026-11-22T00:00:00Z'),
  regions: [] as string[],
}

describe('queries/ on a real SQL engine (DuckDB)', () => {
  it('principal-events returns exactly the role’s events of the window, and they become the same records', async () => {
    const rows = await query(loadQuery('principal-events', 'cloudtrail'), principalEventsParams(window, ROLE))
    expect(rows.map((r) => r.eventid)).toEqual(events.slice(0, 4).map((e) => e.eventID))
    const back = rows.map(rowToEvent)
    for (const [i, e] of back.entries()) {
      const orig = events[i]!
      expect(e).toMatchObject({
        eventID: orig.eventID,
        eventSource: orig.eventSource,
        eventName: orig.eventName,
        awsRegion: orig.awsRegion,
        requestParameters: orig.requestParameters,
      })
      expect(e.userIdentity?.sessionContext?.sessionIssuer?.arn).toBe(ROLE)
    }
    expect(back[1]!.userIdentity?.invokedBy).toBe('cloudformation.amazonaws.com')
    expect(back[1]!.resources).toEqual([
      { ARN: 'arn:aws:s3:::app-assets', accountId: ACCOUNT, type: 'AWS::S3::Bucket' },
    ])
    expect(back[3]!.errorCode).toBe('NoSuchEntity')
  })

  it('prunes by region and selects one session by access key', async () => {
    const rows = await query(
      loadQuery('principal-events', 'cloudtrail'),
      principalEventsParams({ ...window, regions: ['us-east-1'] }, ROLE),
    )
    expect(rows.map((r) => r.eventname)).toEqual(['CreateRole', 'GetRole'])
    const bySession = await query(
      loadQuery('principal-events', 'cloudtrail'),
      principalEventsParams(window, 'ASIAEXAMPLESESSION02'),
    )
    expect(bySession.map((r) => r.eventname)).toEqual(['CreateRole', 'GetRole'])
  })

  it('usage-by-principal aggregates what the files say, with counts and first/last seen', async () => {
    const rows = await query(loadQuery('usage-by-principal', 'cloudtrail'), usageParams(window, ''))
    const byCall = Object.fromEntries(rows.map((r) => [`${r.principal} ${r.eventname}`, r]))
    expect(Object.keys(byCall).sort()).toEqual([
      `${ROLE} CreateBucket`,
      `${ROLE} CreateRole`,
      `${ROLE} CreateStack`,
      `${ROLE} GetRole`,
      `arn:aws:iam::${ACCOUNT}:user/admin CreateUser`,
    ])
    expect(byCall[`${ROLE} CreateStack`]).toMatchObject({
      calls: '1',
      first_seen: '2026-11-20T10:01:00Z',
      last_seen: '2026-11-20T10:01:00Z',
    })
    expect(byCall[`${ROLE} CreateBucket`]!.invokedby).toBe('cloudformation.amazonaws.com')
    const onlyRole = await query(loadQuery('usage-by-principal', 'cloudtrail'), usageParams(window, ROLE))
    expect(onlyRole.every((r) => r.principal === ROLE)).toBe(true)
  })

  it('active-principals lists who acted in the window', async () => {
    const rows = await query(loadQuery('active-principals', 'cloudtrail'), windowParams(window))
    expect(rows.map((r) => [r.principal, r.calls])).toEqual([
      [ROLE, '4'],
      [`arn:aws:iam::${ACCOUNT}:user/admin`, '1'],
    ])
  })

  it('injection strings are refused before SQL, and bound values are only values', async () => {
    for (const bad of [
      "x' OR '1'='1",
      `${ROLE}' --`,
      'arn:aws:iam::123456789012:role/x; DROP TABLE cloudtrail',
    ]) {
      expect(() => principalEventsParams(window, bad)).toThrow(/not a principal/)
    }
    expect(() => windowParams({ ...window, regions: ["eu-west-1' OR 1=1 --"] })).toThrow(/not an AWS region/)
    // Even past validation, a bound parameter cannot change the query.
    const params = principalEventsParams(window, ROLE)
    params[8] = params[9] = params[10] = "' OR '1'='1"
    expect(await query(loadQuery('principal-events', 'cloudtrail'), params)).toEqual([])
  })

  it('every query prunes the date, region and account partitions', () => {
    for (const q of ['principal-events', 'usage-by-principal', 'active-principals'] as const) {
      const sql = loadQuery(q, 'cloudtrail')
      expect(sql).toContain('"timestamp" BETWEEN ? AND ?')
      expect(sql).toContain("strpos(?, ',' || region || ',')")
      expect(sql).toContain("strpos(?, ',' || account || ',')")
      expect(sql).toMatch(/^-- Parameters/m)
      // As many placeholders as the header documents.
      const header = sql
        .slice(0, sql.indexOf('SELECT'))
        .split('\n')
        .filter((l) => l.startsWith('--   '))
      const documented = Math.max(
        ...header.flatMap((l) => [...l.matchAll(/\b(\d{1,2})(?=[ ,])/g)].map((m) => Number(m[1]))),
      )
      expect(sql.split('?').length - 1).toBe(documented)
    }
  })

  it('prunes accounts: rows of other accounts are not read, in both table layouts', async () => {
    const mine = await query(
      loadQuery('active-principals', 'cloudtrail'),
      windowParams({ ...window, accounts: [ACCOUNT] }),
    )
    expect(mine.length).toBeGreaterThan(0)
    const other = await query(
      loadQuery('active-principals', 'cloudtrail'),
      windowParams({ ...window, accounts: ['999999999999'] }),
    )
    expect(other).toEqual([])
    expect(() => windowParams({ ...window, accounts: ["1' OR '1'='1"] })).toThrow(/not an account id/)
    for (const ddl of ['cloudtrail-table-account', 'cloudtrail-table-organization'] as const) {
      const text = loadDdl(ddl, {
        database: 'db',
        table: 't',
        bucket_prefix: 's3://b/AWSLogs/',
        accounts: ACCOUNT,
        regions: 'eu-west-1',
        start_day: '2026/01/01',
      })
      expect(text).toContain('PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)')
      expect(text).toContain("'projection.account.values' = '123456789012'")
      expect(text).toContain('${account}/CloudTrail/${region}/${timestamp}')
    }
  })
})
