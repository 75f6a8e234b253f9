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
 * collected. Measured at 2,900,000 events with --jobs 2 (on a busy machine): default ~340 MB peak
 * RSS; 16 MB ~305 MB; 8 MB 257-275 MB for ~7% more CPU; 4 MB ~245 MB for ~12% more.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 }

type Pending = { resolve: (p: SlicePartial) => void; reject: (e: Error) => void }

interface Slot {
  worker: Worker
  pending: Map<number, Pending>
}

/**
 * A fixed set of reduce workers. `run` hands a slice to the least busy worker; replies come back in
 * any order and the caller awaits them in its own order. A worker that dies fails its slices.
 * The main thread only lists and merges: when it also reduced slices (one worker fewer), a slice
 * of its own blocked its event loop, the worker starved for work, and 2.9M events took 9-11 s
 * instead of 6.2-6.8 s.
 */
export class ReducePool {
  private readonly slots: Slot[] = []
  private nextId = 0

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.startWorker())
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
      else {
        const { message, stack, fault, exitCode } = reply.error
        const err = new IamtrailError(message, fault, exitCode)
        // The worker's stack, for --debug: where it failed matters more than where the reply arrived.
        if (stack) err.stack = stack
        p.reject(err)
      }
    })
    worker.on('error', (err) => failAll(new IamtrailError(`reduce worker failed: ${err.message}`, 'tool')))
    worker.on('exit', (code) => {
      if (slot.pending.size) failAll(new IamtrailError(`reduce worker exited (code ${code})`, 'tool'))
    })
    return slot
  }

  run(task: Omit<SliceTask, 'id'>): Promise<SlicePartial> {
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      slot.worker.postMessage({ id, ...task } satisfies SliceTask)
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
  }
}
