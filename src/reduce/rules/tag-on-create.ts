/**
 * Creating a resource with tags needs the service's tagging permission too, which no event shows.
 * `params` name the request fields that carry tags; `action` is the tagging action on the created
 * resource. Sorted by `eventSource:eventName`. EC2 TagSpecifications are handled generically.
 */
export interface TagOnCreateRule {
  params: readonly string[]
  action: string
  ref: string
}

const IAM = 'IAM userguide: id_tags_roles (tags on create need iam:Tag*)'

export const TAG_ON_CREATE: Readonly<Record<string, TagOnCreateRule>> = {
  'dynamodb.amazonaws.com:CreateTable': {
    params: ['tags'],
    action: 'dynamodb:TagResource',
    ref: 'DynamoDB: Tagging.Operations',
  },
  'iam.amazonaws.com:CreateInstanceProfile': { params: ['tags'], action: 'iam:TagInstanceProfile', ref: IAM },
  'iam.amazonaws.com:CreateOpenIDConnectProvider': {
    params: ['tags'],
    action: 'iam:TagOpenIDConnectProvider',
    ref: IAM,
  },
  'iam.amazonaws.com:CreatePolicy': { params: ['tags'], action: 'iam:TagPolicy', ref: IAM },
  'iam.amazonaws.com:CreateRole': { params: ['tags'], action: 'iam:TagRole', ref: IAM },
  'iam.amazonaws.com:CreateUser': { params: ['tags'], action: 'iam:TagUser', ref: IAM },
  'kms.amazonaws.com:CreateKey': {
    params: ['tags'],
    action: 'kms:TagResource',
    ref: 'KMS: tagging-permissions',
  },
  'lambda.amazonaws.com:CreateFunction': {
    params: ['tags'],
    action: 'lambda:TagResource',
    ref: 'Lambda: tagging (TagResource on create)',
  },
  'logs.amazonaws.com:CreateLogGroup': {
    params: ['tags'],
    action: 'logs:TagResource',
    ref: 'CloudWatch Logs: CreateLogGroup tags',
  },
  'secretsmanager.amazonaws.com:CreateSecret': {
    params: ['tags'],
    action: 'secretsmanager:TagResource',
    ref: 'Secrets Manager: auth-and-access tags on create',
  },
  'sns.amazonaws.com:CreateTopic': {
    params: ['tags'],
    action: 'sns:TagResource',
    ref: 'SNS: CreateTopic tags',
  },
  'sqs.amazonaws.com:CreateQueue': {
    params: ['tags'],
    action: 'sqs:TagQueue',
    ref: 'SQS: CreateQueue tags require sqs:TagQueue',
  },
  'ssm.amazonaws.com:PutParameter': {
    params: ['tags'],
    action: 'ssm:AddTagsToResource',
    ref: 'SSM: PutParameter tags',
  },
}
