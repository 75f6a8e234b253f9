import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { Row } from '../../src/collect/athena/athena-rows.js'
import { runQuery } from './athena-table.js'

/**
 * A tiny Athena over real HTTP on 127.0.0.1 (awsJson1_1, X-Amz-Target AmazonAthena.*), reached
 * through AWS_ENDPOINT_URL_ATHENA. It runs the query text it is sent on DuckDB over the modelled
 * CloudTrail table, with the execution parameters bound, and then behaves like Athena: QUEUED and
 * RUNNING before SUCCEEDED, data scanned growing, results in pages with a header row first.
 */
export interface FakeAthena {
  url: string
  started: { sql: string; params: string[]; workgroup?: string; database?: string; outputLocation?: string }[]
  stopped: string[]
  close(): Promise<void>
}

export async function startFakeAthena(
  con: DuckDBConnection,
  opts: { pageSize?: number; scannedBytes?: number; pollsBeforeDone?: number } = {},
): Promise<FakeAthena> {
  const pageSize = opts.pageSize ?? 2
  const state: FakeAthena = { url: '', started: [], stopped: [], close: async () => {} }
  const queries = new Map<string, { rows: Row[]; columns: string[]; polls: number; error?: string }>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', async () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '')
      const input = JSON.parse(body || '{}') as Record<string, unknown>
      const reply = (status: number, out: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' })
        res.end(JSON.stringify(out))
      }
      try {
        if (target === 'StartQueryExecution') {
          const sql = String(input.QueryString)
          // Execution parameters are SQL literals: 'text' with quotes doubled.
          const params = ((input.ExecutionParameters as string[] | undefined) ?? []).map((p) =>
            p.replace(/^'|'$/g, '').replace(/''/g, "'"),
          )
          const ctx = input.QueryExecutionContext as { Database?: string } | undefined
          const rc = input.ResultConfiguration as { OutputLocation?: string } | undefined
          state.started.push({
            sql,
            params,
            ...(input.WorkGroup ? { workgroup: String(input.WorkGroup) } : {}),
            ...(ctx?.Database ? { database: ctx.Database } : {}),
            ...(rc?.OutputLocation ? { outputLocation: rc.OutputLocation } : {}),
          })
          const id = randomUUID()
          let rows: Row[] = []
          let error: string | undefined
          if (/^\s*(--[^\n]*\n\s*)*CREATE EXTERNAL TABLE/i.test(sql)) rows = []
          else {
            try {
              rows = await runQuery(con, sql, params)
            } catch (err) {
              error = (err as Error).message
            }
          }
          const columns = rows[0] ? Object.keys(rows[0]) : []
          queries.set(id, { rows, columns, polls: 0, ...(error ? { error } : {}) })
          return reply(200, { QueryExecutionId: id })
        }
        const id = String(input.QueryExecutionId)
        const q = queries.get(id)
        if (!q)
          return reply(400, {
            __type: 'InvalidRequestException',
            Message: `QueryExecution ${id} was not found`,
          })
        if (target === 'GetQueryExecution') {
          q.polls++
          const done = q.polls > (opts.pollsBeforeDone ?? 2)
          const stateName = q.error ? 'FAILED' : done ? 'SUCCEEDED' : q.polls === 1 ? 'QUEUED' : 'RUNNING'
          const scanned = Math.round(((opts.scannedBytes ?? 123_456_789) * Math.min(q.polls, 3)) / 3)
          return reply(200, {
            QueryExecution: {
              QueryExecutionId: id,
              Status: { State: stateName, ...(q.error ? { StateChangeReason: q.error } : {}) },
              Statistics: { DataScannedInBytes: scanned, EngineExecutionTimeInMillis: q.polls * 100 },
            },
          })
        }
        if (target === 'GetQueryResults') {
          const start = input.NextToken ? Number(input.NextToken) : 0
          const all = [q.columns, ...q.rows.map((r) => q.columns.map((c) => r[c] ?? null))]
          const page = all.slice(start, start + pageSize)
          const next = start + pageSize < all.length ? String(start + pageSize) : undefined
          return reply(200, {
            ResultSet: {
              Rows: page.map((cells) => ({
                Data: cells.map((v) => (v === null ? {} : { VarCharValue: v })),
              })),
              ResultSetMetadata: { ColumnInfo: q.columns.map((c) => ({ Name: c, Type: 'varchar' })) },
            },
            ...(next ? { NextToken: next } : {}),
          })
        }
        if (target === 'StopQueryExecution') {
          state.stopped.push(id)
          return reply(200, {})
        }
        return reply(400, {
          __type: 'InvalidRequestException',
          Message: `fake Athena does not know ${target}`,
        })
      } catch (err) {
        return reply(500, { __type: 'InternalServerException', Message: (err as Error).message })
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise((r) => server.close(() => r()))
  return state
}
