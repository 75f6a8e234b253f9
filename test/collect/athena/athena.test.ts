import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { type QueryProgress, runAthenaQuery } from '../../../src/collect/athena/athena.js'
import type { Row } from '../../../src/collect/athena/athena-rows.js'

const athena = mockClient(AthenaClient)
const client = new AthenaClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
})
const slept: number[] = []
const run = (extra = {}) => ({
  database: 'security',
  workgroup: 'iamtrail',
  outputLocation: 's3://results/iamtrail/',
  sleep: async (ms: number) => void slept.push(ms),
  now: () => 0,
  ...extra,
})

function states(...list: [string, number?, string?][]) {
  let call = athena.on(GetQueryExecutionCommand)
  for (const [State, scanned = 0, reason] of list) {
    call = call.resolvesOnce({
      QueryExecution: {
        QueryExecutionId: 'q-1',
        Status: { State: State as never, ...(reason ? { StateChangeReason: reason } : {}) },
        Statistics: { DataScannedInBytes: scanned },
      },
    })
  }
}
const cell = (v: string | null) => (v === null ? {} : { VarCharValue: v })

async function collect(gen: AsyncGenerator<Row, unknown>): Promise<{ rows: Row[]; outcome: unknown }> {
  const rows: Row[] = []
  for (;;) {
    const r = await gen.next()
    if (r.done) return { rows, outcome: r.value }
    rows.push(r.value)
  }
}

beforeEach(() => {
  athena.reset()
  slept.length = 0
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' })
})

describe('Athena protocol at the SDK boundary', () => {
  it('submits with quoted execution parameters, polls QUEUED → RUNNING → SUCCEEDED with backoff, pages results', async () => {
    states(['QUEUED'], ['RUNNING', 1_000_000], ['RUNNING', 5_000_000], ['SUCCEEDED', 12_000_000])
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: {
          Rows: [{ Data: [cell('eventid'), cell('errorcode')] }, { Data: [cell('e1'), cell(null)] }],
        },
        NextToken: 't2',
      })
      .resolvesOnce({ ResultSet: { Rows: [{ Data: [cell('e2'), cell('AccessDenied')] }] } })
    const progress: QueryProgress[] = []
    const { rows, outcome } = await collect(
      runAthenaQuery(
        client,
        'SELECT 1',
        ["o'neil", '2026/11/20'],
        run({ onProgress: (p: QueryProgress) => progress.push(p) }),
      ),
    )
    expect(rows).toEqual([
      { eventid: 'e1', errorcode: null },
      { eventid: 'e2', errorcode: 'AccessDenied' },
    ])
    expect(outcome).toMatchObject({ queryId: 'q-1', scannedBytes: 12_000_000 })
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input
    expect(start).toMatchObject({
      ExecutionParameters: ["'o''neil'", "'2026/11/20'"],
      WorkGroup: 'iamtrail',
      QueryExecutionContext: { Database: 'security' },
      ResultConfiguration: { OutputLocation: 's3://results/iamtrail/' },
    })
    expect(progress.map((p) => p.state)).toEqual(['SUBMITTED', 'QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED'])
    expect(slept).toEqual([500, 750, 1125])
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      't2',
    ])
  })

  it('a throttled poll waits and polls again', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1 } } })
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [{ Data: [cell('x')] }] } })
    const { rows } = await collect(runAthenaQuery(client, 'SELECT 1', [], run()))
    expect(rows).toEqual([])
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2)
  })

  it.each([
    ['FAILED', 'SYNTAX_ERROR: line 1:8: Column x cannot be resolved', /failed: SYNTAX_ERROR/],
    ['CANCELLED', 'Query cancelled by user', /was cancelled: Query cancelled by user/],
  ])('%s says why', async (state, reason, message) => {
    states(['RUNNING'], [state, 0, reason])
    await expect(collect(runAthenaQuery(client, 'SELECT x', [], run()))).rejects.toThrow(message)
  })

  it('stops a query that scans more than --max-scan-gb allows, and says how much it scanned', async () => {
    states(['RUNNING', 2e9], ['RUNNING', 6e9])
    athena.on(StopQueryExecutionCommand).resolves({})
    await expect(collect(runAthenaQuery(client, 'SELECT 1', [], run({ maxScanBytes: 5e9 })))).rejects.toThrow(
      /scanned 6.00 GB, more than --max-scan-gb allows \(5.00 GB\)/,
    )
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: 'q-1',
    })
  })

  it('Ctrl-C stops the query in Athena', async () => {
    const ac = new AbortController()
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      ac.abort()
      return { QueryExecution: { Status: { State: 'RUNNING' }, Statistics: { DataScannedInBytes: 0 } } }
    })
    athena.on(StopQueryExecutionCommand).resolves({})
    await expect(collect(runAthenaQuery(client, 'SELECT 1', [], run({ signal: ac.signal })))).rejects.toThrow(
      /stopped: interrupted/,
    )
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1)
  })
})
