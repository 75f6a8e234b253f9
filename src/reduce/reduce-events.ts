import type { Catalog } from '../catalog/catalog.js'
import { isDenied } from '../events/called-via.js'
import { type CloudTrailEvent, describeOrigin, type LocatedEvent } from '../events/cloudtrail-event.js'
import { matchesPrincipal, type PrincipalSelector, principalOf } from '../events/principal.js'
import { inWindow, type TimeWindow } from '../events/time-window.js'
import { type FindingSink, finding } from '../findings.js'
import { type GraphMembers, memberTest } from '../identity/graph.js'
import { UsageAccumulator } from './accumulate.js'
import type { EventMapper, EventMapping } from './mapping.js'
import { emptyStats, type ReduceStats, type Usage } from './usage.js'

export interface ReduceOptions {
  /** Without a selector every principal is reduced separately; the caller decides what to do with several. */
  principal?: PrincipalSelector
  /** An identity graph's members: each member's usage apart (one policy per identity), nobody else's. */
  members?: GraphMembers
  window: TimeWindow
  mapper: EventMapper
  catalog: Catalog
  sink: FindingSink
}

export interface ReduceResult {
  usages: Usage[]
  stats: ReduceStats
  /**
   * Events per principal seen in the window (before principal selection). A Map: principals are
   * input data, and a plain object would answer `constructor` or drop `__proto__`.
   */
  principalsSeen: Map<string, number>
}

/** The running totals of a reduction: one for a whole pass, or one per slice of the inputs. */
export interface ReduceState {
  stats: ReduceStats
  accumulators: Map<string, UsageAccumulator>
  principalsSeen: Map<string, number>
}

export function emptyReduceState(): ReduceState {
  return { stats: emptyStats(), accumulators: new Map(), principalsSeen: new Map() }
}

/**
 * Streams events through principal and window selection and the mapper into one Usage per
 * principal. Memory holds distinct grants only. The only await per event is the first load of a
 * service into the catalog.
 */
export async function reduceEvents(
  events: AsyncIterable<LocatedEvent>,
  opts: ReduceOptions,
): Promise<ReduceResult> {
  const state = emptyReduceState()
  await reduceInto(state, events, opts)
  return finishReduce(state, opts, opts.mapper.profileRole?.bind(opts.mapper))
}

/**
 * Folds events into `state`. `slice` marks a state that holds one slice of the inputs, to be merged
 * (see UsageAccumulator.absorb); `onPrefix` hears every service prefix the mapper needed.
 */
export async function reduceInto(
  state: ReduceState,
  events: AsyncIterable<LocatedEvent>,
  opts: ReduceOptions,
  slice?: { onPrefix: (prefix: string) => void },
): Promise<void> {
  const { stats, accumulators, principalsSeen } = state
  const skip = (reason: string) => {
    stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1
  }
  const isMember = opts.members ? memberTest(opts.members) : undefined
  for await (const located of events) {
    const { event } = located
    stats.eventsRead++
    if (!inWindow(event.eventTime, opts.window)) {
      skip('outside the time window')
      continue
    }
    const principal = principalOf(event)
    if (principal === undefined) {
      skip('no principal (service event or anonymous call)')
      continue
    }
    principalsSeen.set(principal, (principalsSeen.get(principal) ?? 0) + 1)
    if ((opts.principal && !matchesPrincipal(event, opts.principal)) || (isMember && !isMember(event))) {
      skip('another principal')
      continue
    }
    stats.matched++
    for (const prefix of opts.mapper.prefixesFor(event)) {
      if (!opts.catalog.isLoaded(prefix)) await opts.catalog.ensureService(prefix)
      slice?.onPrefix(prefix)
    }
    let mapping: EventMapping
    try {
      mapping = opts.mapper.map(event)
    } catch (err) {
      // The reader checks the fields every stage reads (events/record-shape.ts); a request field of a
      // type no rule expected is still one bad record, never the end of the run.
      const reason = err instanceof Error ? err.message : String(err)
      opts.sink.report(
        finding(
          'input.invalid-record',
          `record could not be mapped (${reason})`,
          describeOrigin(located.origin),
          event.eventID || undefined,
        ),
      )
      stats.matched--
      skip('invalid record')
      continue
    }
    const key = opts.principal ? selectorLabel(opts.principal) : principal
    let acc = accumulators.get(key)
    if (!acc) {
      acc = new UsageAccumulator(key, slice !== undefined)
      accumulators.set(key, acc)
    }
    acc.add(located, mapping)
    if (mapping.kind === 'mapped') {
      stats.mapped++
      if (isDenied(event)) stats.denied++
      for (const f of mapping.findings) {
        opts.sink.report({ ...f, where: f.where ?? describeOrigin(located.origin), eventId: event.eventID })
      }
    } else if (mapping.kind === 'unmapped') {
      stats.unmapped++
    } else {
      stats.excluded++
    }
  }
}

/** Usages out of the totals, with the findings only the whole stream can tell. */
export function finishReduce(
  state: ReduceState,
  opts: Pick<ReduceOptions, 'window' | 'sink'>,
  profileRole?: (profile: string, like: CloudTrailEvent | undefined) => string | undefined,
): ReduceResult {
  const usages = [...state.accumulators.values()]
    .map((a) => a.result(profileRole))
    .sort((a, b) => (a.principal < b.principal ? -1 : 1))
  for (const u of usages) {
    for (const g of u.grants) {
      if (!g.instanceProfile) continue
      opts.sink.report(
        finding(
          'inference.unresolved',
          `iam:PassRole for instance profile ${g.instanceProfile}: the recording never shows its role (no AddRoleToInstanceProfile or GetInstanceProfile response); granted on * with iam:PassedToService`,
          undefined,
          g.evidence.exampleEventId,
        ),
      )
    }
  }
  for (const u of usages) {
    if (opts.window.start || opts.window.end) {
      u.window = {}
      if (opts.window.start) u.window.start = opts.window.start.toISOString()
      if (opts.window.end) u.window.end = opts.window.end.toISOString()
    }
  }
  return { usages, stats: state.stats, principalsSeen: state.principalsSeen }
}

export function selectorLabel(sel: PrincipalSelector): string {
  return sel.kind === 'access-key' ? `access key ${sel.id}` : sel.arn
}
