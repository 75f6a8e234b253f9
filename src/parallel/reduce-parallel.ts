import type { Catalog } from '../catalog/catalog.js'
import { type FileStats, listInputs } from '../collect/files/files.js'
import type { FindingSink } from '../findings.js'
import type { ReduceResult } from '../reduce/reduce-events.js'
import { emptyStats } from '../reduce/usage.js'
import type { Creation } from '../synthesize/provenance.js'
import { SliceMerger } from './merge-slices.js'
import { type ReadableUnit, reduceSlice, type SliceOptions, type SlicePartial } from './slice.js'
import { ReducePool } from './worker-pool.js'

/**
 * Files per slice once every worker is busy: enough to make a message's cost negligible next to
 * reading the files (CloudTrail's files hold ~50-100 events), few enough to keep both cores busy to the end.
 */
const SLICE_FILES = 32
/** Slices dispatched ahead of the merge, per worker: bounds memory while keeping workers fed. */
const AHEAD_PER_WORKER = 4

export interface InputsReduction {
  result: ReduceResult
  fileStats: FileStats
  skippedEvents: number
  skippedFiles: number
  /** What the inputs created (any principal): the evidence generalization widens by. */
  creations: Creation[]
}

/**
 * readInputs + reduceEvents across `jobs` worker threads: the main thread lists the files and merges
 * the slices' partial usages in input order (SliceMerger), so the result is the single pass's, byte
 * for byte. A single input is read here, without starting a worker; stdin is always read here.
 */
export async function reduceInParallel(
  req: { inputs: readonly string[]; sink: FindingSink; catalog: Catalog } & SliceOptions,
  jobs: number,
): Promise<InputsReduction> {
  const fileStats: FileStats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
  const opts: SliceOptions = { window: req.window }
  if (req.principal) opts.principal = req.principal
  if (req.needle) opts.needle = req.needle
  if (req.members) opts.members = req.members
  const merger = new SliceMerger(req.sink, req.catalog)
  const inFlight: Promise<SlicePartial>[] = []
  const push = (p: Promise<SlicePartial>) => {
    // Awaited in order below; the no-op handler keeps a later slice's failure from being "unhandled" meanwhile.
    p.catch(() => {})
    inFlight.push(p)
  }
  let pool: ReducePool | undefined
  let batch: ReadableUnit[] = []
  let listed = 0
  const dispatch = () => {
    if (batch.length === 0) return
    pool ??= new ReducePool(jobs)
    push(pool.run({ units: batch, opts }))
    batch = []
  }
  try {
    for await (const unit of listInputs(req.inputs, req.window, fileStats)) {
      if (unit.kind === 'unlisted') {
        dispatch()
        push(Promise.resolve(unlistedPartial(unit.finding, unit.failed)))
      } else if (unit.kind === 'stdin') {
        dispatch()
        push(reduceSlice([unit], opts, req.catalog))
      } else {
        batch.push(unit)
        listed++
        // The first file waits for a second one: a single input is not worth a worker.
        const idle = inFlight.length < jobs
        if (listed > 1 && (batch.length >= SLICE_FILES || idle)) dispatch()
      }
      while (inFlight.length > jobs * AHEAD_PER_WORKER) merger.absorb(await inFlight.shift()!)
    }
    if (pool || listed > 1) dispatch()
    else if (batch.length) push(reduceSlice(batch.splice(0), opts, req.catalog))
    for (const p of inFlight.splice(0)) merger.absorb(await p)
  } finally {
    await pool?.close()
  }
  fileStats.filesWithErrors += merger.filesWithErrors
  const result = await merger.finish({ window: req.window, sink: req.sink })
  return {
    result,
    fileStats,
    skippedEvents: merger.skippedEvents,
    skippedFiles: merger.skippedFiles,
    creations: merger.created.snapshot(),
  }
}

function unlistedPartial(f: SlicePartial['findings'][number], failed: boolean): SlicePartial {
  return {
    stats: emptyStats(),
    principalsSeen: new Map(),
    accumulators: [],
    findings: [f],
    filesWithErrors: failed ? 1 : 0,
    skippedEvents: 0,
    skippedFiles: 0,
    profiles: [],
    prefixes: [],
    creations: [],
  }
}
