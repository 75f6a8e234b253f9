/** IAM policy document shapes, as AWS accepts them (single values or arrays). */
export type OneOrMany<T> = T | T[]

/** `{ StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com"] } }` */
export type ConditionBlock = Record<string, Record<string, OneOrMany<string>>>

export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: OneOrMany<string>
  NotAction?: OneOrMany<string>
  Resource?: OneOrMany<string>
  NotResource?: OneOrMany<string>
  Condition?: ConditionBlock
  Principal?: unknown
  NotPrincipal?: unknown
}

export interface PolicyDocument {
  Version: '2012-10-17' | '2008-10-17'
  Id?: string
  Statement: PolicyStatement[]
}

export function asArray<T>(v: OneOrMany<T> | undefined): T[] {
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}
