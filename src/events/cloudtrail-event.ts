/** The raw CloudTrail record shape (eventVersion 1.0x). Only fields iamtrail reads are typed; the rest pass through. */
export interface SessionIssuer {
  type?: string
  principalId?: string
  arn?: string
  accountId?: string
  userName?: string
}

export interface UserIdentity {
  type?: string
  principalId?: string
  arn?: string
  accountId?: string
  accessKeyId?: string
  userName?: string
  invokedBy?: string
  sessionContext?: {
    sessionIssuer?: SessionIssuer
    attributes?: { creationDate?: string; mfaAuthenticated?: string }
    sourceIdentity?: string
    webIdFederationData?: Record<string, unknown>
  }
  [key: string]: unknown
}

export interface EventResource {
  ARN?: string
  accountId?: string
  type?: string
}

export interface CloudTrailEvent {
  eventVersion?: string
  userIdentity?: UserIdentity
  eventTime: string
  eventSource: string
  eventName: string
  awsRegion: string
  sourceIPAddress?: string
  userAgent?: string
  errorCode?: string
  errorMessage?: string
  requestParameters?: Record<string, unknown> | null
  responseElements?: Record<string, unknown> | null
  additionalEventData?: Record<string, unknown>
  requestID?: string
  eventID: string
  readOnly?: boolean
  resources?: EventResource[]
  eventType?: string
  managementEvent?: boolean
  recipientAccountId?: string
  eventCategory?: string
  [key: string]: unknown
}

/** Where an event was read from, so every finding can point at it. */
export interface EventOrigin {
  file: string
  /** 1-based line for NDJSON, 0-based record index for `Records[]` / `Events[]` files. */
  line?: number
  index?: number
  /** Label of the recording the event came from (deploy, teardown, …), when it came from one. */
  recording?: string
}

export interface LocatedEvent {
  event: CloudTrailEvent
  origin: EventOrigin
}

export function describeOrigin(origin: EventOrigin): string {
  if (origin.line !== undefined) return `${origin.file}:${origin.line}`
  if (origin.index !== undefined) return `${origin.file}[${origin.index}]`
  return origin.file
}
