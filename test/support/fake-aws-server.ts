import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'

/**
 * A tiny CloudTrail + STS over real HTTP on 127.0.0.1, speaking the wire protocols the SDK uses
 * (CloudTrail: awsJson1_1 with X-Amz-Target; STS: awsQuery with an XML answer). Like the real
 * service it logs its own LookupEvents calls as events (with the caller's User-Agent) and delivers
 * events only after a delay. A child process "makes AWS calls" by POSTing to /__emit.
 */
export interface FakeAwsOptions {
  account?: string
  /** The identity every signed request belongs to, by access key. */
  identities: Record<string, { arn: string; type: 'AssumedRole' | 'IAMUser'; roleArn?: string }>
  /** Access keys whose requests fail as expired. */
  expiredKeys?: string[]
  /** Access keys whose LookupEvents requests fail as expired (a session that ran out during the deploy). */
  lookupExpiredKeys?: string[]
  deliveryDelayMs?: number
  /** CloudTrail answers ThrottlingException to this many LookupEvents requests first. */
  throttleFirst?: number
}

export interface FakeAws {
  url: string
  requests: { target: string; at: number; userAgent: string; body: Record<string, unknown> }[]
  events: { event: CloudTrailEvent; visibleAt: number }[]
  close(): Promise<void>
}

export async function startFakeAws(opts: FakeAwsOptions): Promise<FakeAws> {
  const account = opts.account ?? '123456789012'
  const state: FakeAws = { url: '', requests: [], events: [], close: async () => {} }
  let throttleLeft = opts.throttleFirst ?? 0
  let assumed = 0
  const emit = (
    accessKeyId: string,
    region: string,
    eventSource: string,
    eventName: string,
    userAgent: string,
    requestParameters: Record<string, unknown> | null = null,
    extra: { responseElements?: Record<string, unknown>; invokedBy?: string } = {},
  ) => {
    const id = opts.identities[accessKeyId]
    if (!id) return
    const event: CloudTrailEvent = {
      eventVersion: '1.08',
      userIdentity: {
        type: id.type,
        arn: id.arn,
        accountId: account,
        accessKeyId,
        ...(extra.invokedBy ? { invokedBy: extra.invokedBy } : {}),
        ...(id.roleArn
          ? { sessionContext: { sessionIssuer: { type: 'Role', arn: id.roleArn, accountId: account } } }
          : {}),
      },
      eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      eventSource,
      eventName,
      awsRegion: region,
      sourceIPAddress: extra.invokedBy ?? '203.0.113.10',
      userAgent: extra.invokedBy ?? userAgent,
      requestParameters,
      responseElements: extra.responseElements ?? null,
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    }
    state.events.push({ event, visibleAt: Date.now() + (opts.deliveryDelayMs ?? 0) })
  }
  const server: Server = createServer(async (req, res) => {
    const text = await body(req)
    const key = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const ua = String(req.headers['user-agent'] ?? '')
    if (req.url === '/__emit') {
      const e = JSON.parse(text) as {
        accessKeyId: string
        region: string
        eventSource: string
        eventName: string
        requestParameters?: Record<string, unknown>
        invokedBy?: string
      }
      emit(
        e.accessKeyId,
        e.region,
        e.eventSource,
        e.eventName,
        'aws-cli/2.15.0 fake-deploy',
        e.requestParameters,
        e.invokedBy ? { invokedBy: e.invokedBy } : {},
      )
      res.end('{}')
      return
    }
    const target = String(req.headers['x-amz-target'] ?? '')
    const region =
      /Credential=[^/]+\/\d+\/([a-z0-9-]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'us-east-1'
    if (target.endsWith('.LookupEvents')) {
      const input = JSON.parse(text || '{}') as Record<string, unknown>
      state.requests.push({
        target: 'LookupEvents',
        at: Date.now(),
        userAgent: ua,
        body: { ...input, region },
      })
      if (opts.expiredKeys?.includes(key) || opts.lookupExpiredKeys?.includes(key)) {
        return json(res, 400, {
          __type: 'ExpiredTokenException',
          message: 'The security token included in the request is expired',
        })
      }
      if (throttleLeft > 0) {
        throttleLeft--
        return json(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' })
      }
      // CloudTrail logs LookupEvents itself; iamtrail must recognise and drop these.
      emit(key, region, 'cloudtrail.amazonaws.com', 'LookupEvents', ua)
      return json(res, 200, lookup(state, region, input))
    }
    const form = new URLSearchParams(text)
    if (form.get('Action') === 'GetCallerIdentity') {
      state.requests.push({ target: 'GetCallerIdentity', at: Date.now(), userAgent: ua, body: {} })
      if (opts.expiredKeys?.includes(key)) {
        res.statusCode = 403
        res.setHeader('content-type', 'text/xml')
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        )
        return
      }
      emit(key, 'us-east-1', 'sts.amazonaws.com', 'GetCallerIdentity', ua)
      const id = opts.identities[key]
      res.setHeader('content-type', 'text/xml')
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${id?.arn ?? ''}</Arn><UserId>AIDAEXAMPLE</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      )
      return
    }
    if (form.get('Action') === 'AssumeRole') {
      // Like STS: fresh keys on every call, and an AssumeRole event naming them.
      const caller = opts.identities[key]
      if (!caller) {
        res.statusCode = 403
        res.end(
          '<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>unknown key</Message></Error></ErrorResponse>',
        )
        return
      }
      const roleArn = form.get('RoleArn') ?? ''
      const sessionName = form.get('RoleSessionName') ?? 'session'
      const newKey = `ASIAFAKEASSUMED${String(++assumed).padStart(5, '0')}`
      const sessionArn = `arn:aws:sts::${account}:assumed-role/${roleArn.split('/').pop()}/${sessionName}`
      opts.identities[newKey] = { arn: sessionArn, type: 'AssumedRole', roleArn }
      state.requests.push({
        target: 'AssumeRole',
        at: Date.now(),
        userAgent: ua,
        body: { roleArn, sessionName },
      })
      const expiration = new Date(Date.now() + 3_600_000).toISOString()
      emit(
        key,
        'us-east-1',
        'sts.amazonaws.com',
        'AssumeRole',
        ua,
        { roleArn, roleSessionName: sessionName },
        {
          responseElements: {
            credentials: { accessKeyId: newKey, sessionToken: 'fake', expiration },
            assumedRoleUser: { assumedRoleId: `AROAFAKE:${sessionName}`, arn: sessionArn },
          },
        },
      )
      res.setHeader('content-type', 'text/xml')
      res.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${newKey}</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-token</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${sessionArn}</Arn><AssumedRoleId>AROAFAKE:${sessionName}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      )
      return
    }
    json(res, 400, { __type: 'UnknownOperationException', message: `fake AWS: ${target || text}` })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise((resolve) => server.close(() => resolve()))
  return state
}

const PAGE = 50

function lookup(state: FakeAws, region: string, input: Record<string, unknown>) {
  const start = Number(input.StartTime) * 1000
  const end = Number(input.EndTime) * 1000
  const attr = (input.LookupAttributes as { AttributeKey: string; AttributeValue: string }[] | undefined)?.[0]
  const now = Date.now()
  const visible = state.events
    .filter((e) => e.visibleAt <= now && e.event.awsRegion === region)
    .map((e) => e.event)
    .filter((e) => {
      const t = Date.parse(e.eventTime)
      return t >= start && t <= end
    })
    .filter((e) => {
      if (!attr) return true
      if (attr.AttributeKey === 'AccessKeyId') return e.userIdentity?.accessKeyId === attr.AttributeValue
      return e.userIdentity?.arn?.split('/').pop() === attr.AttributeValue
    })
    .reverse() // newest first, as CloudTrail returns them
  const offset = input.NextToken ? Number(input.NextToken) : 0
  const page = visible.slice(offset, offset + Math.min(Number(input.MaxResults ?? PAGE), PAGE))
  const out: Record<string, unknown> = {
    Events: page.map((e) => ({
      EventId: e.eventID,
      EventName: e.eventName,
      EventSource: e.eventSource,
      EventTime: Date.parse(e.eventTime) / 1000,
      AccessKeyId: e.userIdentity?.accessKeyId,
      CloudTrailEvent: JSON.stringify(e),
    })),
  }
  if (offset + PAGE < visible.length) out.NextToken = String(offset + PAGE)
  return out
}

function json(res: import('node:http').ServerResponse, status: number, value: unknown) {
  res.statusCode = status
  res.setHeader('content-type', 'application/x-amz-json-1.1')
  res.end(JSON.stringify(value))
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = ''
    req.setEncoding('utf8')
    req.on('data', (d) => {
      s += d
    })
    req.on('end', () => resolve(s))
    req.on('error', reject)
  })
}
