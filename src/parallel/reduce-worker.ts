/**
 * Worker thread entry: reduces the slices the main thread hands it (see reduce-parallel.ts), one at a
 * time, with one catalog for the thread's life. Errors go back as values; the main thread aborts.
 */
import { parentPort } from 'node:worker_threads'
import { Catalog } from '../catalog/catalog.js'
import { IamtrailError } from '../errors.js'
import type { ReadableUnit, SliceOptions, SlicePartial } from './slice.js'
import { reduceSlice } from './slice.js'

export interface SliceTask {
  id: number
  units: ReadableUnit[]
  opts: SliceOptions
}

export type SliceReply =
  | { id: number; partial: SlicePartial }
  | {
      id: number
      error: { message: string; stack?: string; fault: IamtrailError['fault']; exitCode: number }
    }

const port = parentPort
if (!port) throw new Error('reduce-worker.ts runs as a worker thread only')
const catalog = new Catalog()
let queue = Promise.resolve()
port.on('message', (task: SliceTask) => {
  queue = queue.then(async () => {
    let reply: SliceReply
    try {
      reply = { id: task.id, partial: await reduceSlice(task.units, task.opts, catalog) }
    } catch (err) {
      const e = err instanceof IamtrailError ? err : undefined
      reply = {
        id: task.id,
        error: {
          message: err instanceof Error ? err.message : String(err),
          ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
          fault: e?.fault ?? 'tool',
          exitCode: e?.exitCode ?? 70,
        },
      }
    }
    port.postMessage(reply)
  })
})
