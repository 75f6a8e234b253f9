import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker, type WorkerOptions } from 'node:worker_threads'
import { IamtrailError } from '../errors.js'
import type { SliceReply, SliceTask } from './reduce-worker.js'
import type { SlicePartial } from './slice.js'

/**
 * The worker beside this module: `reduce-worker.js` in the built package; from source (tsx, vitest)
 * `reduce-worker.ts`, which the worker can import only once tsx's hooks are registered in it (an
 * `--import tsx` in the worker's execArgv does not reach worker threads on Node 20).
 */
export function createReduceWorker(options: WorkerOptions = {}): Worker {
  const fromSource = import.meta.url.endsWith('.ts')
  const entry = new URL(fromSource ? './reduce-worker.ts' : './reduce-worker.js', import.meta.url)
  if (!fromSource) return new Worker(entry, options)
  const api = tsxApiUrl()
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(boot, { ...options, eval: true })
}

/** tsx's ESM register API, from its package exports (require.resolve would give the CommonJS twin). */
function tsxApiUrl(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json')
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>
  }
  return pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api']!.import.default)).href
}

/**
 * A smaller young generation than V8's default (3 × 16 MB semi-spaces): each file leaves megabytes
 * of gunzipped Buffers whose memory is returned only when the small objects holding them are
 * collected. Measured at 2,900,000 events with --jobs 2: default ~340 MB peak RSS, 16 MB ~295 MB,
 * at the same speed within noise (docs/benchmarks.md).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 }

type Pending = { resolve: (p: SlicePartial) => void; reject: (e: Error) => void }

/** Where a slice runs: a worker thread, or this thread (`worker` undefined). */
interface Slot {
  worker?: Worker
  pending: Map<number, Pending>
}

/** Reduces a slice in this thread. */
export type LocalReduce = (task: Omit<SliceTask, 'id'>) => Promise<SlicePartial>

/**
 * `threads` reducers: this thread (between its own listing and merging, which are light) and
 * `threads - 1` worker threads. `run` hands a slice to the least busy; replies come back in any
 * order and the caller awaits them in its own order. A worker that dies fails its slices.
 * This thread counts as one so that --jobs N keeps N cores busy, not N + 1, and starts one worker
 * fewer (startup and a heap of its own).
 */
export class ReducePool {
  private readonly slots: Slot[] = []
  private nextId = 0
  private localQueue: Promise<unknown> = Promise.resolve()

  constructor(
    threads: number,
    private readonly local: LocalReduce,
  ) {
    this.slots.push({ pending: new Map() })
    for (let i = 1; i < threads; i++) this.slots.push(this.startWorker())
  }

  private startWorker(): Slot {
    const worker = createReduceWorker({ resourceLimits: WORKER_LIMITS })
    const slot: Slot = { worker, pending: new Map() }
    const failAll = (err: Error) => {
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
    }
    worker.on('message', (reply: SliceReply) => {
      const p = slot.pending.get(reply.id)
      if (!p) return
      slot.pending.delete(reply.id)
      if ('partial' in reply) p.resolve(reply.partial)
      else p.reject(new IamtrailError(reply.error.message, reply.error.fault, reply.error.exitCode))
    })
    worker.on('error', (err) => failAll(new IamtrailError(`reduce worker failed: ${err.message}`, 'tool')))
    worker.on('exit', (code) => {
      if (slot.pending.size) failAll(new IamtrailError(`reduce worker exited (code ${code})`, 'tool'))
    })
    return slot
  }

  run(task: Omit<SliceTask, 'id'>): Promise<SlicePartial> {
    // Ties go to a worker: this thread also lists and merges.
    const slot = this.slots.reduce((a, b) => (b.pending.size <= a.pending.size ? b : a))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      if (slot.worker) {
        slot.worker.postMessage({ id, ...task } satisfies SliceTask)
        return
      }
      // One local slice at a time, each after a turn of the event loop so workers' replies are heard.
      this.localQueue = this.localQueue.then(async () => {
        await new Promise((r) => setImmediate(r))
        try {
          resolve(await this.local(task))
        } catch (err) {
          reject(err as Error)
        } finally {
          slot.pending.delete(id)
        }
      })
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker?.terminate()))
  }
}
