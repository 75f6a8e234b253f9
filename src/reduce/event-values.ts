import type { CloudTrailEvent } from '../events/cloudtrail-event.js'

/**
 * The string values of an event's request and response, by lower-cased field name, collected once
 * per event. Policy documents, templates and tags are skipped: the ARNs inside them are not the
 * resources the call acts on.
 */
export interface EventValues {
  request: Map<string, string[]>
  response: Map<string, string[]>
  /** Every string that is an ARN, request first. */
  arns: string[]
}

const SKIP = new Set([
  'assumerolepolicydocument',
  'bucketpolicy',
  'code',
  'environment',
  'policy',
  'policydocument',
  'tags',
  'tagset',
  'tagspecificationset',
  'templatebody',
  'userdata',
])
const MAX_DEPTH = 5
const ON_RESOURCE = /\bon resource: (arn:[^\s"',]+)/

export function collectValues(event: CloudTrailEvent): EventValues {
  const arns: string[] = []
  const request = new Map<string, string[]>()
  const response = new Map<string, string[]>()
  walk(event.requestParameters, '', request, arns, 0)
  walk(event.responseElements, '', response, arns, 0)
  // A denied call names the resource IAM evaluated ("… on resource: arn:…"), even when its
  // request was logged empty (a denied AssumeRole).
  const denied = typeof event.errorMessage === 'string' ? ON_RESOURCE.exec(event.errorMessage) : null
  if (denied) arns.push(denied[1]!)
  return { request, response, arns }
}

function walk(v: unknown, key: string, out: Map<string, string[]>, arns: string[], depth: number): void {
  if (v === null || v === undefined || depth > MAX_DEPTH) return
  if (typeof v === 'string') {
    if (key) {
      const list = out.get(key)
      if (list) {
        if (!list.includes(v)) list.push(v)
      } else out.set(key, [v])
    }
    if (v.startsWith('arn:')) arns.push(v)
    return
  }
  if (Array.isArray(v)) {
    for (const item of v) walk(item, key, out, arns, depth + 1)
    return
  }
  if (typeof v === 'object') {
    // EC2's query API logs some scalars as {content, tag} (DeleteFlowLogs' FlowLogId): the value
    // belongs to the parent's name.
    const o = v as Record<string, unknown>
    if (typeof o.content === 'string' && Object.keys(o).every((k) => k === 'content' || k === 'tag')) {
      walk(o.content, key, out, arns, depth + 1)
      return
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const lk = k.toLowerCase()
      if (SKIP.has(lk)) continue
      // EC2 wraps lists as {items: [...]}: keep the parent's name for the items.
      walk(child, lk === 'items' || lk === 'item' ? key : lk, out, arns, depth + 1)
    }
  }
}

/** Values of the first of `names` present in the request, else in the response. */
export function lookup(values: EventValues, names: readonly string[]): string[] {
  for (const source of [values.request, values.response]) {
    for (const n of names) {
      const v = source.get(n.toLowerCase())
      if (v && v.length > 0) return v
    }
  }
  return []
}

export function partitionOf(event: CloudTrailEvent): string {
  const arn = event.userIdentity?.arn ?? event.userIdentity?.sessionContext?.sessionIssuer?.arn
  const p = arn?.split(':')[1]
  if (p) return p
  if (event.awsRegion.startsWith('cn-')) return 'aws-cn'
  if (event.awsRegion.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

export function accountOf(event: CloudTrailEvent): string | undefined {
  return event.recipientAccountId ?? event.userIdentity?.accountId
}
