import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import type { Row } from '../../src/collect/athena/athena-rows.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'

/**
 * The Athena CloudTrail table, modelled in DuckDB: the same columns and nested types, partitioned
 * like it (account, region, "timestamp"), filled from CloudTrail records the way the CloudTrail
 * SerDe lays them out. The real queries/ text runs on it.
 */
export const COLUMNS = `{
  eventversion: 'VARCHAR',
  useridentity: 'STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR, sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR), sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR), sourceidentity VARCHAR))',
  eventtime: 'VARCHAR', eventsource: 'VARCHAR', eventname: 'VARCHAR', awsregion: 'VARCHAR',
  sourceipaddress: 'VARCHAR', useragent: 'VARCHAR', errorcode: 'VARCHAR', errormessage: 'VARCHAR',
  requestparameters: 'VARCHAR', responseelements: 'VARCHAR', additionaleventdata: 'VARCHAR',
  requestid: 'VARCHAR', eventid: 'VARCHAR', readonly: 'VARCHAR',
  resources: 'STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]',
  eventtype: 'VARCHAR', apiversion: 'VARCHAR', recipientaccountid: 'VARCHAR', sharedeventid: 'VARCHAR',
  vpcendpointid: 'VARCHAR', eventcategory: 'VARCHAR', managementevent: 'VARCHAR',
  account: 'VARCHAR', region: 'VARCHAR', "timestamp": 'VARCHAR'
}`

/** How the CloudTrail SerDe lays a record into the table: lower-case names, JSON strings for free-form fields. */
export function toRow(e: CloudTrailEvent): Record<string, unknown> {
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
    account: e.recipientAccountId ?? e.userIdentity?.accountId,
    region: e.awsRegion,
    timestamp: e.eventTime.slice(0, 10).replace(/-/g, '/'),
  }
}

/** A DuckDB database holding `table` (optionally `schema.table`) filled with the events. */
export async function cloudTrailTable(
  events: readonly CloudTrailEvent[],
  table = 'cloudtrail',
): Promise<DuckDBConnection> {
  const dir = mkdtempSync(join(tmpdir(), 'iamtrail-duckdb-'))
  const file = join(dir, 'rows.ndjson')
  writeFileSync(file, events.map((e) => JSON.stringify(toRow(e))).join('\n'))
  const con = await (await DuckDBInstance.create(':memory:')).connect()
  if (table.includes('.')) await con.run(`CREATE SCHEMA ${table.split('.')[0]}`)
  await con.run(
    `CREATE TABLE ${table} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${COLUMNS})`,
  )
  return con
}

/** Runs a queries/ text with positional string parameters; every value comes back as Athena sends it: a string or null. */
export async function runQuery(
  con: DuckDBConnection,
  sql: string,
  params: readonly string[],
): Promise<Row[]> {
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
