import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A tiny IAM over real HTTP on 127.0.0.1, speaking the awsQuery protocol the SDK uses (form-encoded
 * POST, XML answers, URL-encoded policy documents, Marker/IsTruncated pages of one item), so the CLI
 * reads a role's policies exactly as it would from AWS through AWS_ENDPOINT_URL_IAM.
 */
export interface FakeIamRole {
  name: string
  inline: Record<string, object>
  attached: Record<string, object>
  boundary?: string
}

export interface FakeIam {
  url: string
  actions: string[]
  close(): Promise<void>
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const doc = (d: object) => xmlEscape(encodeURIComponent(JSON.stringify(d)))

export async function startFakeIam(roles: FakeIamRole[], opts: { deny?: string[] } = {}): Promise<FakeIam> {
  const state: FakeIam = { url: '', actions: [], close: async () => {} }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      const p = new URLSearchParams(body)
      const action = p.get('Action') ?? ''
      state.actions.push(action)
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' })
        res.end(xml)
      }
      const error = (status: number, code: string, message: string) =>
        reply(
          status,
          `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        )
      if (opts.deny?.includes(action))
        return error(
          403,
          'AccessDenied',
          `User: arn:aws:sts::123456789012:assumed-role/auditor/s is not authorized to perform: iam:${action} on resource: role`,
        )
      const ok = (result: string) =>
        reply(
          200,
          `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`,
        )
      // One item per page, so every List call is paginated.
      const page = (names: string[], member: (n: string) => string, wrapper: string) => {
        const i = Number(p.get('Marker') ?? 0)
        const more = i + 1 < names.length
        return `<${wrapper}>${names
          .slice(i, i + 1)
          .map(member)
          .join('')}</${wrapper}><IsTruncated>${more}</IsTruncated>${more ? `<Marker>${i + 1}</Marker>` : ''}`
      }
      const role = roles.find((r) => r.name === p.get('RoleName'))
      const policies = Object.fromEntries(roles.flatMap((r) => Object.entries(r.attached)))
      switch (action) {
        case 'GetRole':
          if (!role)
            return error(404, 'NoSuchEntity', `The role with name ${p.get('RoleName')} cannot be found.`)
          return ok(
            `<Role><Path>/</Path><RoleName>${role.name}</RoleName><RoleId>AROAFAKE</RoleId><Arn>arn:aws:iam::123456789012:role/${role.name}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>${role.boundary ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${role.boundary}</PermissionsBoundaryArn></PermissionsBoundary>` : ''}</Role>`,
          )
        case 'ListRolePolicies':
          return ok(page(Object.keys(role?.inline ?? {}), (n) => `<member>${n}</member>`, 'PolicyNames'))
        case 'GetRolePolicy': {
          const name = p.get('PolicyName')!
          return ok(
            `<RoleName>${role?.name}</RoleName><PolicyName>${name}</PolicyName><PolicyDocument>${doc(role!.inline[name]!)}</PolicyDocument>`,
          )
        }
        case 'ListAttachedRolePolicies':
          return ok(
            page(
              Object.keys(role?.attached ?? {}).filter((a) => a !== role?.boundary),
              (a) =>
                `<member><PolicyName>${a.split('/').pop()}</PolicyName><PolicyArn>${a}</PolicyArn></member>`,
              'AttachedPolicies',
            ),
          )
        case 'GetPolicy':
          return ok(
            `<Policy><PolicyName>${p.get('PolicyArn')!.split('/').pop()}</PolicyName><Arn>${p.get('PolicyArn')}</Arn><DefaultVersionId>v3</DefaultVersionId></Policy>`,
          )
        case 'GetPolicyVersion':
          return ok(
            `<PolicyVersion><Document>${doc(policies[p.get('PolicyArn')!]!)}</Document><VersionId>${p.get('VersionId')}</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`,
          )
        default:
          return error(400, 'InvalidAction', `fake IAM does not know ${action}`)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise((r) => server.close(() => r()))
  return state
}
