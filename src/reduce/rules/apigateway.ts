/**
 * API Gateway authorizes management calls as HTTP verbs on resource paths
 * (`apigateway:POST` on `arn:aws:apigateway:REGION::/restapis`), and v1 (REST) and v2 (HTTP,
 * WebSocket) share event names; the request tells them apart (`restApiId` vs `apiId`).
 * Ref: API Gateway developer guide, "Control access for managing an API" (arn format) and the
 * Service Authorization Reference for apigateway.
 */
const VERBS: readonly [string, string][] = [
  ['Create', 'POST'],
  ['Delete', 'DELETE'],
  ['Get', 'GET'],
  ['Import', 'PUT'],
  ['Put', 'PUT'],
  ['Update', 'PATCH'],
]

/**
 * Calls that are not CRUD on their own noun: the verb and path of their REST route (API Gateway
 * API reference, each operation's request syntax). Import of a new API or of keys is a POST on
 * the collection; of documentation parts, a PUT on the API's parts.
 */
type Params = (k: string) => string | undefined
const SPECIAL: Readonly<Record<string, (str: Params) => ApiGatewayCall>> = {
  FlushStageCache: (str) => ({ verb: 'DELETE', path: stagePath(str, 'cache/data') }),
  FlushStageAuthorizersCache: (str) => ({ verb: 'DELETE', path: stagePath(str, 'cache/authorizers') }),
  GenerateClientCertificate: () => ({ verb: 'POST', path: '/clientcertificates' }),
  ImportApiKeys: () => ({ verb: 'POST', path: '/apikeys' }),
  ImportRestApi: () => ({ verb: 'POST', path: '/restapis' }),
  ImportApi: () => ({ verb: 'PUT', path: '/apis' }),
  ReimportApi: (str) => ({ verb: 'PUT', path: str('apiId') ? `/apis/${str('apiId')}` : undefined }),
  ImportDocumentationParts: (str) => ({
    verb: 'PUT',
    path: str('restApiId') ? `/restapis/${str('restApiId')}/documentation/parts` : undefined,
  }),
  // REST APIs tag with PUT /tags/{arn}, HTTP and WebSocket APIs with POST /v2/tags/{arn}; the
  // tagged ARN tells them apart. IAM's resource is /tags/{url-encoded ARN} for both.
  TagResource: (str) => ({
    verb: /::\/apis\//.test(str('resourceArn') ?? '') ? 'POST' : 'PUT',
    path: tagsPath(str),
  }),
  UntagResource: (str) => ({ verb: 'DELETE', path: tagsPath(str) }),
  TestInvokeMethod: (str) => {
    const [api, resource, method] = [str('restApiId'), str('resourceId'), str('httpMethod')]
    return {
      verb: 'POST',
      path:
        api && resource && method ? `/restapis/${api}/resources/${resource}/methods/${method}` : undefined,
    }
  },
  TestInvokeAuthorizer: (str) => {
    const [api, authorizer] = [str('restApiId'), str('authorizerId')]
    return {
      verb: 'POST',
      path: api && authorizer ? `/restapis/${api}/authorizers/${authorizer}` : undefined,
    }
  },
}

function stagePath(str: Params, tail: string): string | undefined {
  const [api, stage] = [str('restApiId'), str('stageName')]
  return api && stage ? `/restapis/${api}/stages/${stage}/${tail}` : undefined
}

function tagsPath(str: Params): string | undefined {
  const arn = str('resourceArn')
  return arn ? `/tags/${encodeURIComponent(arn)}` : undefined
}

/** Sub-resources whose id field is not `<noun>Id`. */
const ID_FIELD: Readonly<Record<string, string>> = {
  basepathmapping: 'basePath',
  domainname: 'domainName',
  method: 'httpMethod',
  model: 'modelName',
  stage: 'stageName',
}

export interface ApiGatewayCall {
  verb: string
  /** The path, or undefined when a field it needs is missing from the request. */
  path: string | undefined
}

export function apiGatewayCall(
  eventName: string,
  params: Record<string, unknown> | null | undefined,
): ApiGatewayCall | undefined {
  const p = params ?? {}
  const str = (k: string) => (typeof p[k] === 'string' && p[k] !== '' ? (p[k] as string) : undefined)
  if (Object.hasOwn(SPECIAL, eventName)) return SPECIAL[eventName]!(str)
  const verbEntry = VERBS.find(([p]) => eventName.startsWith(p))
  if (!verbEntry) return undefined
  const [prefix, verb] = verbEntry
  let noun = eventName.slice(prefix.length)
  const plural = verb === 'GET' && /s$/.test(noun) && !/Address$/.test(noun)
  if (plural) noun = noun.slice(0, -1)
  const lower = noun.toLowerCase()
  const v2 = str('apiId') !== undefined || noun === 'Api'
  const apiBase = v2
    ? str('apiId')
      ? `/apis/${str('apiId')}`
      : undefined
    : str('restApiId')
      ? `/restapis/${str('restApiId')}`
      : undefined
  const single = !plural && verb !== 'POST'

  if (lower === 'restapi' || lower === 'api') {
    const root = lower === 'api' ? '/apis' : '/restapis'
    if (!single) return { verb, path: root }
    return { verb, path: apiBase }
  }
  if (lower === 'domainname' || lower === 'basepathmapping' || lower === 'apimapping') {
    const domain = str('domainName')
    if (lower === 'domainname')
      return { verb, path: single ? (domain ? `/domainnames/${domain}` : undefined) : '/domainnames' }
    const coll = lower === 'basepathmapping' ? 'basepathmappings' : 'apimappings'
    if (!domain) return { verb, path: undefined }
    const id = str(lower === 'basepathmapping' ? 'basePath' : 'apiMappingId')
    return {
      verb,
      path: single
        ? id
          ? `/domainnames/${domain}/${coll}/${id}`
          : undefined
        : `/domainnames/${domain}/${coll}`,
    }
  }
  if (!apiBase) {
    // Account-level collections: api keys, usage plans, vpc links, client certificates.
    const id = str(`${lowerFirst(noun)}Id`) ?? str(lowerFirst(noun))
    return { verb, path: single ? (id ? `/${lower}s/${id}` : undefined) : `/${lower}s` }
  }
  if (['method', 'integration', 'methodresponse', 'integrationresponse'].includes(lower) && !v2) {
    const resourceId = str('resourceId')
    const method = str('httpMethod')
    if (!resourceId || !method) return { verb, path: undefined }
    const base = `${apiBase}/resources/${resourceId}/methods/${method}`
    const status = str('statusCode')
    if (lower === 'method') return { verb, path: base }
    if (lower === 'integration') return { verb, path: `${base}/integration` }
    if (!status) return { verb, path: undefined }
    return {
      verb,
      path:
        lower === 'methodresponse'
          ? `${base}/responses/${status}`
          : `${base}/integration/responses/${status}`,
    }
  }
  if (lower === 'resource' && !v2 && verb === 'POST') {
    const parent = str('parentId')
    return { verb, path: parent ? `${apiBase}/resources/${parent}` : undefined }
  }
  const coll = `${apiBase}/${lower}s`
  if (!single) return { verb, path: coll }
  const id = str(ID_FIELD[lower] ?? `${lowerFirst(noun)}Id`)
  return { verb, path: id ? `${coll}/${id}` : undefined }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}
