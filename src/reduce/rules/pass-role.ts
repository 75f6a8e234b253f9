/**
 * Calls that hand a role to a service. The caller needs iam:PassRole on that role, which never
 * appears as an event; the role is found under these request parameter names (at any depth), and
 * the grant is conditioned on iam:PassedToService. Sorted by `eventSource:eventName`.
 */
export interface PassRoleRule {
  /** Request parameter names (case-insensitive, any depth) whose values are role ARNs or names. */
  params: readonly string[]
  passedTo: string
  /** The value names an instance profile, whose role must be resolved. */
  instanceProfile?: boolean
  ref: string
}

const IAM_REF = 'IAM userguide: id_roles_use_passrole'
const ec2Profile = {
  params: ['iamInstanceProfile'],
  passedTo: 'ec2.amazonaws.com',
  instanceProfile: true,
  ref: IAM_REF,
}
const cfn = {
  params: ['roleARN'],
  passedTo: 'cloudformation.amazonaws.com',
  ref: 'CloudFormation: using-iam-servicerole',
}

export const PASS_ROLE: Readonly<Record<string, PassRoleRule>> = {
  'application-autoscaling.amazonaws.com:RegisterScalableTarget': {
    params: ['roleARN'],
    passedTo: 'application-autoscaling.amazonaws.com',
    ref: IAM_REF,
  },
  'apigateway.amazonaws.com:PutIntegration': {
    params: ['credentials'],
    passedTo: 'apigateway.amazonaws.com',
    ref: 'API Gateway: integration credentials',
  },
  'apigateway.amazonaws.com:UpdateAccount': {
    params: ['cloudwatchRoleArn'],
    passedTo: 'apigateway.amazonaws.com',
    ref: IAM_REF,
  },
  'batch.amazonaws.com:CreateComputeEnvironment': {
    params: ['serviceRole'],
    passedTo: 'batch.amazonaws.com',
    ref: IAM_REF,
  },
  'cloudformation.amazonaws.com:CreateChangeSet': cfn,
  'cloudformation.amazonaws.com:CreateStack': cfn,
  'cloudformation.amazonaws.com:CreateStackSet': {
    params: ['administrationRoleARN'],
    passedTo: 'cloudformation.amazonaws.com',
    ref: 'CloudFormation: stacksets-prereqs',
  },
  'cloudformation.amazonaws.com:UpdateStack': cfn,
  'cloudtrail.amazonaws.com:CreateTrail': {
    params: ['cloudWatchLogsRoleArn'],
    passedTo: 'cloudtrail.amazonaws.com',
    ref: IAM_REF,
  },
  'cloudtrail.amazonaws.com:UpdateTrail': {
    params: ['cloudWatchLogsRoleArn'],
    passedTo: 'cloudtrail.amazonaws.com',
    ref: IAM_REF,
  },
  'codebuild.amazonaws.com:CreateProject': {
    params: ['serviceRole'],
    passedTo: 'codebuild.amazonaws.com',
    ref: IAM_REF,
  },
  'codebuild.amazonaws.com:UpdateProject': {
    params: ['serviceRole'],
    passedTo: 'codebuild.amazonaws.com',
    ref: IAM_REF,
  },
  'codepipeline.amazonaws.com:CreatePipeline': {
    params: ['roleArn'],
    passedTo: 'codepipeline.amazonaws.com',
    ref: IAM_REF,
  },
  'codepipeline.amazonaws.com:UpdatePipeline': {
    params: ['roleArn'],
    passedTo: 'codepipeline.amazonaws.com',
    ref: IAM_REF,
  },
  'ec2.amazonaws.com:AssociateIamInstanceProfile': ec2Profile,
  'ec2.amazonaws.com:CreateFlowLogs': {
    params: ['deliverLogsPermissionArn'],
    passedTo: 'vpc-flow-logs.amazonaws.com',
    ref: 'VPC: flow-logs-iam-role',
  },
  'ec2.amazonaws.com:ReplaceIamInstanceProfileAssociation': ec2Profile,
  'ec2.amazonaws.com:RequestSpotInstances': ec2Profile,
  'ec2.amazonaws.com:RunInstances': ec2Profile,
  'ecs.amazonaws.com:CreateService': { params: ['role'], passedTo: 'ecs.amazonaws.com', ref: IAM_REF },
  'ecs.amazonaws.com:RegisterTaskDefinition': {
    params: ['taskRoleArn', 'executionRoleArn'],
    passedTo: 'ecs-tasks.amazonaws.com',
    ref: 'ECS: task-iam-roles',
  },
  'eks.amazonaws.com:CreateCluster': { params: ['roleArn'], passedTo: 'eks.amazonaws.com', ref: IAM_REF },
  'eks.amazonaws.com:CreateNodegroup': { params: ['nodeRole'], passedTo: 'eks.amazonaws.com', ref: IAM_REF },
  'elasticmapreduce.amazonaws.com:RunJobFlow': {
    params: ['serviceRole', 'jobFlowRole'],
    passedTo: 'elasticmapreduce.amazonaws.com',
    ref: IAM_REF,
  },
  'events.amazonaws.com:PutRule': {
    params: ['roleArn'],
    passedTo: 'events.amazonaws.com',
    ref: 'EventBridge: eb-use-identity-based',
  },
  'events.amazonaws.com:PutTargets': {
    params: ['roleArn'],
    passedTo: 'events.amazonaws.com',
    ref: 'EventBridge: eb-use-identity-based',
  },
  'firehose.amazonaws.com:CreateDeliveryStream': {
    params: ['roleARN'],
    passedTo: 'firehose.amazonaws.com',
    ref: IAM_REF,
  },
  'glue.amazonaws.com:CreateCrawler': { params: ['role'], passedTo: 'glue.amazonaws.com', ref: IAM_REF },
  'glue.amazonaws.com:CreateDevEndpoint': {
    params: ['roleArn'],
    passedTo: 'glue.amazonaws.com',
    ref: IAM_REF,
  },
  'glue.amazonaws.com:CreateJob': { params: ['role'], passedTo: 'glue.amazonaws.com', ref: IAM_REF },
  'glue.amazonaws.com:UpdateCrawler': { params: ['role'], passedTo: 'glue.amazonaws.com', ref: IAM_REF },
  'lambda.amazonaws.com:CreateFunction': {
    params: ['role'],
    passedTo: 'lambda.amazonaws.com',
    ref: 'Lambda: lambda-intro-execution-role',
  },
  'lambda.amazonaws.com:UpdateFunctionConfiguration': {
    params: ['role'],
    passedTo: 'lambda.amazonaws.com',
    ref: 'Lambda: lambda-intro-execution-role',
  },
  'logs.amazonaws.com:PutDestination': { params: ['roleArn'], passedTo: 'logs.amazonaws.com', ref: IAM_REF },
  'logs.amazonaws.com:PutSubscriptionFilter': {
    params: ['roleArn'],
    passedTo: 'logs.amazonaws.com',
    ref: IAM_REF,
  },
  'rds.amazonaws.com:AddRoleToDBCluster': {
    params: ['roleArn'],
    passedTo: 'rds.amazonaws.com',
    ref: IAM_REF,
  },
  'rds.amazonaws.com:AddRoleToDBInstance': {
    params: ['roleArn'],
    passedTo: 'rds.amazonaws.com',
    ref: IAM_REF,
  },
  'rds.amazonaws.com:CreateDBInstance': {
    params: ['monitoringRoleArn'],
    passedTo: 'monitoring.rds.amazonaws.com',
    ref: 'RDS: USER_Monitoring.OS',
  },
  'rds.amazonaws.com:ModifyDBInstance': {
    params: ['monitoringRoleArn'],
    passedTo: 'monitoring.rds.amazonaws.com',
    ref: 'RDS: USER_Monitoring.OS',
  },
  's3.amazonaws.com:PutBucketReplication': {
    params: ['role', 'Role'],
    passedTo: 's3.amazonaws.com',
    ref: 'S3: setting-repl-config-perm-overview',
  },
  'sagemaker.amazonaws.com:CreateModel': {
    params: ['executionRoleArn'],
    passedTo: 'sagemaker.amazonaws.com',
    ref: IAM_REF,
  },
  'sagemaker.amazonaws.com:CreateNotebookInstance': {
    params: ['roleArn'],
    passedTo: 'sagemaker.amazonaws.com',
    ref: IAM_REF,
  },
  'sagemaker.amazonaws.com:CreateTrainingJob': {
    params: ['roleArn'],
    passedTo: 'sagemaker.amazonaws.com',
    ref: IAM_REF,
  },
  'scheduler.amazonaws.com:CreateSchedule': {
    params: ['roleArn'],
    passedTo: 'scheduler.amazonaws.com',
    ref: IAM_REF,
  },
  'ssm.amazonaws.com:RegisterTaskWithMaintenanceWindow': {
    params: ['serviceRoleArn'],
    passedTo: 'ssm.amazonaws.com',
    ref: IAM_REF,
  },
  'states.amazonaws.com:CreateStateMachine': {
    params: ['roleArn'],
    passedTo: 'states.amazonaws.com',
    ref: 'Step Functions: procedure-create-iam-role',
  },
  'states.amazonaws.com:UpdateStateMachine': {
    params: ['roleArn'],
    passedTo: 'states.amazonaws.com',
    ref: 'Step Functions: procedure-create-iam-role',
  },
}
