import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

/**
 * botocore's service models (Apache-2.0): the request shape of every operation, which tells which
 * members carry a role, tags or another part that triggers a conditional permission, and under
 * which names CloudTrail logs them.
 */
export interface ShapeRef {
  shape: string
  locationName?: string
  location?: string
  documentation?: string
}

export interface Shape {
  type: string
  members?: Record<string, ShapeRef>
  member?: { shape: string; locationName?: string }
  key?: { shape: string }
  value?: { shape: string }
  required?: string[]
  enum?: string[]
}

export interface BotocoreService {
  name: string
  protocol: string
  signingName: string
  endpointPrefix: string
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>
  shapes: Record<string, Shape>
}

/** A request member found by walking an operation's input shape. */
export interface Member {
  name: string
  /** Other names the member travels under (a header, EC2's `…Set`), as CloudTrail may log them. */
  aliases: string[]
  /** The leaf type: string, list of strings (`list:string`), structure, map, boolean, … */
  type: string
  /** botocore's documentation of the member, HTML stripped. */
  documentation: string
  /** For a map: the keys its documentation lists that hold a role (SNS's `…FeedbackRoleArn`). */
  roleKeys?: string[]
}

/** botocore documentation as plain text. */
export function plainText(html: string | undefined): string {
  return (html ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

const ROLE_NAME = /role(arn)?s?$|rolearns$/i
/** "The ARN of the IAM role …", "the role's Amazon Resource Name (ARN)", "… the IAM role ARN". */
const ROLE_DOC =
  /\b(ARN|Amazon Resource Name)s?\b[^.;]{0,60}?\b(IAM|service|execution|invocation)[- ]role\b|\b(IAM|service|execution|invocation)[- ]role'?s?\b[^.;]{0,50}?\b(ARN|Amazon Resource Name)\b/i

/**
 * Whether a string member carries a role (its ARN or name): its name says so (`…Role`, `…RoleArn`),
 * or its documentation says it is the ARN of an IAM role (Cognito's `SnsCallerArn`, API Gateway's
 * `credentials`). Names ending in `Name` alone do not count.
 */
export function carriesRole(name: string, type: string, documentation: string): boolean {
  if (type !== 'string' && type !== 'list:string') return false
  if (ROLE_NAME.test(name) && !/name$/i.test(name)) return true
  // A role handed over by name (RDS's DomainIAMRoleName, "the name of the IAM role to use when
  // making API calls to the Directory Service"); a bare RoleName names the role a call is about.
  if (/.IAMRoleName$/i.test(name) && type === 'string') return true
  // An instance profile is not a role: its name would be taken for one (override instanceProfile).
  if (/instance profile/i.test(documentation)) return false
  return ROLE_DOC.test(documentation) && !/(name|id|policy|document)$/i.test(name)
}

/** Attribute names a map member's documentation lists that hold a role (SNS's `…FeedbackRoleArn`). */
export function roleAttributes(documentation: string): string[] {
  return [
    ...new Set(
      [...documentation.matchAll(/<code>\s*([A-Za-z]\w*Role(?:Arn|ARN)?)\s*<\/code>/g)].map((m) => m[1]!),
    ),
  ]
}

export function botocoreDataDir(): string {
  const fromEnv = process.env.BOTOCORE_DATA
  if (fromEnv) return fromEnv
  const root = execFileSync(
    'python3',
    ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'],
    {
      encoding: 'utf8',
    },
  ).trim()
  return join(root, 'data')
}

export function botocoreVersion(dataDir: string): string {
  const init = readFileSync(join(dataDir, '..', '__init__.py'), 'utf8')
  return /__version__ = '([^']+)'/.exec(init)?.[1] ?? 'unknown'
}

/** Every service's newest model, by service directory name. */
export function loadBotocore(dataDir: string): Map<string, BotocoreService> {
  const out = new Map<string, BotocoreService>()
  for (const name of readdirSync(dataDir).sort()) {
    const dir = join(dataDir, name)
    if (!existsSync(dir) || name.startsWith('_')) continue
    let versions: string[]
    try {
      versions = readdirSync(dir).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
    } catch {
      continue
    }
    const latest = versions.sort().pop()
    if (!latest) continue
    const gz = join(dir, latest, 'service-2.json.gz')
    const plain = join(dir, latest, 'service-2.json')
    const text = existsSync(gz)
      ? gunzipSync(readFileSync(gz)).toString('utf8')
      : existsSync(plain)
        ? readFileSync(plain, 'utf8')
        : undefined
    if (!text) continue
    const model = JSON.parse(text) as {
      metadata: { protocol: string; signingName?: string; endpointPrefix: string }
      operations: BotocoreService['operations']
      shapes: BotocoreService['shapes']
    }
    out.set(name, {
      name,
      protocol: model.metadata.protocol,
      signingName: model.metadata.signingName ?? model.metadata.endpointPrefix,
      endpointPrefix: model.metadata.endpointPrefix,
      operations: model.operations,
      shapes: model.shapes,
    })
  }
  return out
}

/** The members of an operation's request, at any depth (cycles cut), with their aliases. */
export function requestMembers(service: BotocoreService, operation: string): Member[] {
  const input = service.operations[operation]?.input?.shape
  if (!input) return []
  const out: Member[] = []
  const seen = new Set<string>()
  const walk = (shapeName: string, depth: number) => {
    const shape = service.shapes[shapeName]
    if (!shape || depth > 6 || seen.has(shapeName)) return
    seen.add(shapeName)
    if (shape.type === 'list' && shape.member) walk(shape.member.shape, depth + 1)
    if (shape.type === 'map' && shape.value) walk(shape.value.shape, depth + 1)
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const child = service.shapes[ref.shape]
      if (!child) continue
      const leaf =
        child.type === 'list' && child.member
          ? `list:${service.shapes[child.member.shape]?.type}`
          : child.type
      const aliases = new Set<string>()
      if (ref.locationName && ref.locationName !== name) aliases.add(ref.locationName)
      // EC2's query protocol logs lists as `<name>Set: { items: [...] }` in CloudTrail.
      if (service.protocol === 'ec2' && child.type === 'list') {
        aliases.add(`${ref.locationName ?? name}Set`)
        aliases.add(`${name}Set`)
      }
      const roleKeys = child.type === 'map' ? roleAttributes(ref.documentation ?? '') : []
      out.push({
        name,
        aliases: [...aliases],
        type: leaf,
        documentation: plainText(ref.documentation),
        ...(roleKeys.length > 0 ? { roleKeys } : {}),
      })
      walk(ref.shape, depth + 1)
    }
    seen.delete(shapeName)
  }
  walk(input, 0)
  return out
}
