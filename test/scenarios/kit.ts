/**
 * Builds the scenario recordings: CloudTrail records with the fields and shapes real ones have
 * (compare ../shared/data/cloudtrail/), written as iamtrail recordings. Each tool's generate.ts
 * describes its deploy and teardown as a list of calls; run `npx tsx test/scenarios/generate.ts`
 * after changing one (the output is committed and deterministic).
 */
import { join } from 'node:path'
import { RECORDING_FORMAT, writeRecording } from '../../src/collect/recording.js'
import type { CloudTrailEvent, UserIdentity } from '../../src/events/cloudtrail-event.js'

export const ACCOUNT = '123456789012'

export function iamUser(name: string, accessKeyId: string, principalId: string): UserIdentity {
  return {
    type: 'IAMUser',
    principalId,
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    accountId: ACCOUNT,
    accessKeyId,
    userName: name,
  }
}

export function roleSession(
  role: string,
  session: string,
  accessKeyId: string,
  roleId: string,
  created: string,
): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: { creationDate: created, mfaAuthenticated: 'false' },
    },
  }
}

export interface CallOptions {
  /** Made by a service for the principal (CloudFormation without a service role): invokedBy, the service as source IP and agent. */
  via?: string
  region?: string
  readOnly?: boolean
  errorCode?: string
  errorMessage?: string
  resources?: CloudTrailEvent['resources']
  /** Seconds after the previous call. */
  after?: number
}

export class Trail {
  readonly events: CloudTrailEvent[] = []
  private t: number
  private n = 0

  constructor(
    private readonly tool: string,
    private readonly identity: UserIdentity,
    private readonly region: string,
    start: string,
    private readonly agent: string,
    private readonly ip = '198.51.100.24',
  ) {
    this.t = Date.parse(start)
  }

  call(
    eventSource: string,
    eventName: string,
    requestParameters: Record<string, unknown> | null = null,
    responseElements: Record<string, unknown> | null = null,
    o: CallOptions = {},
  ): this {
    this.n++
    this.t += (o.after ?? 3) * 1000
    const seed = `${this.tool}${this.n}`
    const hex = (len: number, salt: number) => {
      let h = salt * 2654435761
      let out = ''
      for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0
      while (out.length < len) {
        h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0
        out += h.toString(16).padStart(8, '0')
      }
      return out.slice(0, len)
    }
    const e: CloudTrailEvent = {
      eventVersion: '1.09',
      userIdentity: o.via ? { ...this.identity, invokedBy: o.via } : this.identity,
      eventTime: new Date(this.t).toISOString().replace('.000Z', 'Z'),
      eventSource,
      eventName,
      awsRegion: o.region ?? this.region,
      sourceIPAddress: o.via ?? this.ip,
      userAgent: o.via ?? this.agent,
      requestParameters,
      responseElements,
      requestID: `${hex(8, 1)}-${hex(4, 2)}-4${hex(3, 3)}-8${hex(3, 4)}-${hex(12, 5)}`,
      eventID: `${hex(8, 6)}-${hex(4, 7)}-4${hex(3, 8)}-9${hex(3, 9)}-${hex(12, 10)}`,
      readOnly: o.readOnly ?? /^(Describe|Get|List|Head)/.test(eventName),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    }
    if (o.errorCode) {
      e.errorCode = o.errorCode
      e.errorMessage = o.errorMessage ?? ''
    }
    if (o.resources) e.resources = o.resources
    this.events.push(e)
    return this
  }
}

export async function writeScenario(
  dir: string,
  name: string,
  principal: string,
  trail: Trail,
): Promise<void> {
  const first = trail.events[0]!.eventTime
  const last = trail.events.at(-1)!.eventTime
  const perRegion: Record<string, number> = {}
  for (const e of trail.events) perRegion[e.awsRegion] = (perRegion[e.awsRegion] ?? 0) + 1
  await writeRecording(
    join(dir, `${name}.rec`),
    {
      format: RECORDING_FORMAT,
      iamtrailVersion: '0.1.0',
      name,
      principal,
      window: { start: first, end: new Date(Date.parse(last) + 1000).toISOString().replace('.000Z', 'Z') },
      regions: Object.keys(perRegion).sort(),
      sources: ['scenario'],
      settle: {
        outcome: 'complete',
        detail: 'scenario written from the tool’s documentation (test/scenarios)',
      },
      counts: { events: trail.events.length, perRegion },
      createdAt: first,
    },
    trail.events,
    true,
  )
}
