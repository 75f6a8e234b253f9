import { type ModelAction, modelAction } from './operation-model.js'
import { OPERATIONS } from './operations.js'

/** Entries as objects, built once per operation: the mapper asks for every event. */
const expanded = new Map<string, readonly ModelAction[]>()

/** The model's actions for an operation, keyed by IAM prefix and API operation name (exact case). */
export function operationModel(prefix: string, operation: string): readonly ModelAction[] | undefined {
  // `in` on a plain object would answer for `constructor` and `__proto__`: own properties only.
  if (!Object.hasOwn(OPERATIONS, prefix)) return undefined
  const ops = OPERATIONS[prefix]!
  if (!Object.hasOwn(ops, operation)) return undefined
  const key = `${prefix}:${operation}`
  let list = expanded.get(key)
  if (!list) {
    list = Object.freeze(ops[operation]!.map((e) => Object.freeze(modelAction(e))))
    expanded.set(key, list)
  }
  return list
}

/** Every prefix the model's actions for an operation use (the catalog must load them first). */
export function modelPrefixes(prefix: string, operation: string): string[] {
  return [...new Set((operationModel(prefix, operation) ?? []).map((a) => a.action.split(':')[0]!))]
}
