import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Row, rowToEvent } from '../../src/collect/athena-rows.js'
import { loadQuery, principalEventsParams, usageParams, windowParams } from '../../src/collect/athena-sql.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
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

const COLUMNS = `{
  eventversion: 'VARCHAR',
  useridentity: 'STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR, sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR), sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR), sourceidentity VARCHAR))',
  eventtime: 'VARCHAR', eventsource: 'VARCHAR', eventname: 'VARCHAR', awsregion: 'VARCHAR',
  sourceipaddress: 'VARCHAR', useragent: 'VARCHAR', errorcode: 'VARCHAR', errormessage: 'VARCHAR',
  requestparameters: 'VARCHAR', responseelements: 'VARCHAR', additionaleventdata: 'VARCHAR',
  requestid: 'VARCHAR', eventid: 'VARCHAR', readonly: 'VARCHAR',
  resources: 'STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]',
  eventtype: 'VARCHAR', apiversion: 'VARCHAR', recipientaccountid: 'VARCHAR', sharedeventid: 'VARCHAR',
  vpcendpointid: 'VARCHAR', eventcategory: 'VARCHAR', managementevent: 'VARCHAR',
  region: 'VARCHAR', "timestamp": 'VARCHAR'
}`

/** How the CloudTrail SerDe lays a record into the table: lower-case names, JSON strings for free-form fields. */
function toRow(e: CloudTrailEvent): Record<string, unknown> {
  const id = e.userIdentity ?? {}
  const issuer = id.sessionContext?.sessionIssuer
  return {
    eventversion: e.eventVersion,
    useridentity: {
      type: id.type,
      principalid: id.principalId,
      arn: id.arn,
      accountid: id.accountId,
      invokedby: id.invokedBy,
      accesskeyid: id.accessKeyId,
      username: id.userName,
      sessioncontext: issuer
        ? {
            attributes: {
              mfaauthenticated: 'false',
              creationdate: id.sessionContext?.attributes?.creationDate,
            },
            sessionissuer: {
              type: issuer.type,
              principalid: issuer.principalId,
              arn: issuer.arn,
              accountid: issuer.accountId,
              username: issuer.userName,
            },
            sourceidentity: null,
          }
        : null,
    },
    eventtime: e.eventTime,
    eventsource: e.eventSource,
    eventname: e.eventName,
    awsregion: e.awsRegion,
    sourceipaddress: e.sourceIPAddress,
    useragent: e.userAgent,
    errorcode: e.errorCode ?? null,
    errormessage: e.errorMessage ?? null,
    requestparameters: e.requestParameters ? JSON.stringify(e.requestParameters) : null,
    responseelements: e.responseElements ? JSON.stringify(e.responseElements) : null,
    requestid: e.requestID,
    eventid: e.eventID,
    readonly: String(e.readOnly),
    resources: e.resources?.map((r) => ({ arn: r.ARN, accountid: r.accountId, type: r.type })) ?? null,
    eventtype: e.eventType,
    recipientaccountid: e.recipientAccountId,
    eventcategory: e.eventCategory,
    managementevent: 'true',
    region: e.awsRegion,
    timestamp: e.eventTime.slice(0, 10).replace(/-/g, '/'),
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iamtrail-duckdb-'))
  const file = join(dir, 'rows.ndjson')
  writeFileSync(file, events.map((e) => JSON.stringify(toRow(e))).join('\n'))
  con = await (await DuckDBInstance.create(':memory:')).connect()
  await con.run(
    `CREATE TABLE cloudtrail AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${COLUMNS})`,
  )
})

async function query(sql: string, params: string[]): Promise<Row[]> {
  const p = await con.prepare(sql)
  for (const [i, v] of params.entries()) p.bindVarchar(i + 1, v)
  const rows = (await p.runAndReadAll()).getRowObjectsJson() as Record<string, unknown>[]
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        v === null ? null : typeof v === 'string' ? v : JSON.stringify(v),
      ]),
    ),
  )
}

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
    params[6] = params[7] = params[8] = "' OR '1'='1"
    expect(await query(loadQuery('principal-events', 'cloudtrail'), params)).toEqual([])
  })

  it('every query prunes the date partition and the region partition', () => {
    for (const q of ['principal-events', 'usage-by-principal', 'active-principals'] as const) {
      const sql = loadQuery(q, 'cloudtrail')
      expect(sql).toContain('"timestamp" BETWEEN ? AND ?')
      expect(sql).toContain("strpos(?, ',' || region || ',')")
      expect(sql).toMatch(/^-- Parameters/m)
    }
  })
})
