import { type ModelAction, modelAction } from './operation-model.js'
import { OPERATIONS } from './operations.js'

/** The model's actions for an operation, keyed by IAM prefix and API operation name (exact case). */
export function operationModel(prefix: string, operation: string): ModelAction[] | undefined {
  const ops = OPERATIONS[prefix]
  // `in` on a plain object would answer for `constructor` and `__proto__`: own properties only.
  if (!ops || !Object.hasOwn(ops, operation)) return undefined
  return ops[operation]!.map(modelAction)
}

/** Every prefix the model's actions for an operation use (the catalog must load them first). */
export function modelPrefixes(prefix: string, operation: string): string[] {
  return [...new Set((operationModel(prefix, operation) ?? []).map((a) => a.action.split(':')[0]!))]
}
