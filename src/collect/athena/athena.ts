import type { AthenaClient, QueryExecution, QueryExecutionState } from '@aws-sdk/client-athena'
import { IamtrailError } from '../../errors.js'
import type { Row } from './athena-rows.js'
import { athenaLiteral } from './athena-sql.js'

/** The narrow port to Athena: only `send`, faked at the SDK boundary in tests. */
export type AthenaPort = Pick<AthenaClient, 'send'>

export interface QueryProgress {
  queryId: string
  state: QueryExecutionState | 'SUBMITTED'
  elapsedMs: number
  scannedBytes: number
}

export interface AthenaRun {
  database: string
  workgroup?: string
  outputLocation?: string
  /** Refuse (stop) a query once it has scanned more than this. */
  maxScanBytes?: number
  signal?: AbortSignal
  onProgress?: (p: QueryProgress) => void
  /** Injected so tests run in fake time. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export interface QueryOutcome {
  queryId: string
  scannedBytes: number
  elapsedMs: number
}

/** Polling starts fast (most iamtrail queries are short) and backs off to spare the API quota. */
const POLL_FIRST_MS = 500
const POLL_MAX_MS = 5000
const POLL_FACTOR = 1.5
/** Athena's on-demand price: $5 per TB scanned, 10 MB minimum per query. */
export const USD_PER_TB = 5

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException'])

/**
 * Runs one query: StartQueryExecution with positional execution parameters, polls
 * GetQueryExecution with backoff, stops the query on abort or when it scans more than allowed,
 * then yields the result rows page by page (the first row of the first page is the header).
 */
export async function* runAthenaQuery(
  athena: AthenaPort,
  sql: string,
  params: string[],
  run: AthenaRun,
): AsyncGenerator<Row, QueryOutcome> {
  const {
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    StartQueryExecutionCommand,
    StopQueryExecutionCommand,
  } = await import('@aws-sdk/client-athena')
  const sleep = run.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
  const now = run.now ?? Date.now
  const started = now()
  const start = await withThrottleRetry(
    () =>
      athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          ExecutionParameters: params.map(athenaLiteral),
          QueryExecutionContext: { Database: run.database },
          ...(run.workgroup ? { WorkGroup: run.workgroup } : {}),
          ...(run.outputLocation ? { ResultConfiguration: { OutputLocation: run.outputLocation } } : {}),
        }),
      ),
    sleep,
  )
  const queryId = start.QueryExecutionId
  if (!queryId) throw new IamtrailError('Athena did not return a query execution id', 'environment')
  run.onProgress?.({ queryId, state: 'SUBMITTED', elapsedMs: 0, scannedBytes: 0 })
  const stop = async (why: string): Promise<never> => {
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })).catch(() => {})
    throw new IamtrailError(`Athena query ${queryId} stopped: ${why}`, 'user')
  }
  let delay = POLL_FIRST_MS
  let scanned = 0
  for (;;) {
    if (run.signal?.aborted) await stop('interrupted')
    let exec: QueryExecution | undefined
    try {
      exec = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }))).QueryExecution
    } catch (err) {
      // A throttled poll is not a failed query: wait and poll again.
      if (!THROTTLED.has((err as Error).name)) throw err
    }
    if (exec) {
      const state = exec.Status?.State ?? 'QUEUED'
      scanned = exec.Statistics?.DataScannedInBytes ?? scanned
      run.onProgress?.({ queryId, state, elapsedMs: now() - started, scannedBytes: scanned })
      if (run.maxScanBytes !== undefined && scanned > run.maxScanBytes) {
        await stop(
          `it scanned ${formatBytes(scanned)}, more than --max-scan-gb allows (${formatBytes(run.maxScanBytes)})`,
        )
      }
      if (state === 'SUCCEEDED') break
      if (state === 'FAILED')
        throw new IamtrailError(
          `Athena query ${queryId} failed: ${exec.Status?.StateChangeReason ?? 'no reason given'}`,
          'environment',
        )
      if (state === 'CANCELLED')
        throw new IamtrailError(
          `Athena query ${queryId} was cancelled${exec.Status?.StateChangeReason ? `: ${exec.Status.StateChangeReason}` : ''}`,
          'environment',
        )
    }
    await sleep(delay)
    delay = Math.min(POLL_MAX_MS, delay * POLL_FACTOR)
  }
  let token: string | undefined
  let header: string[] | undefined
  do {
    const page = await withThrottleRetry(
      () =>
        athena.send(
          new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken: token, MaxResults: 1000 }),
        ),
      sleep,
    )
    const rows = page.ResultSet?.Rows ?? []
    let i = 0
    if (!header) {
      header = (rows[0]?.Data ?? []).map((d) => d.VarCharValue ?? '')
      i = 1
    }
    for (; i < rows.length; i++) {
      const data = rows[i]!.Data ?? []
      yield Object.fromEntries(header.map((h, j) => [h, data[j]?.VarCharValue ?? null]))
    }
    token = page.NextToken
    if (run.signal?.aborted) await stop('interrupted')
  } while (token)
  return { queryId, scannedBytes: scanned, elapsedMs: now() - started }
}

async function withThrottleRetry<T>(
  call: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  let delay = POLL_FIRST_MS
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (err) {
      if (!THROTTLED.has((err as Error).name) || attempt >= 6) throw err
      await sleep(delay)
      delay = Math.min(POLL_MAX_MS * 2, delay * 2)
    }
  }
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`
  return `${(n / 1e3).toFixed(0)} KB`
}

/** What a scan costs on demand, with Athena's 10 MB minimum per query. */
export function costUsd(scannedBytes: number): number {
  return (Math.max(scannedBytes, 10e6) / 1e12) * USD_PER_TB
}
