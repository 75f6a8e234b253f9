/**
 * Hand-kept knowledge the sources do not state, each entry with its reason (policy_sentry-style).
 * The Service Authorization Reference lists every action an operation *can* authorize; these say
 * *when* a non-primary one applies, where the generic rules (a role member → iam:PassRole, a tags
 * member → the tagging action) cannot tell.
 */

export interface TriggerOverride {
  action: string
  /** `prefix:Operation` entries it applies to; absent: every operation listing the action. */
  operations?: string[]
  /** Request members (any depth, any case) whose presence triggers it. */
  when: string[]
  /** The member's string value must match (regular expression source). */
  match?: string
  resource?: 'copy-source' | 'named' | 'value'
  reason: string
}

const S3_ACL = [
  'ACL',
  'x-amz-acl',
  'GrantFullControl',
  'GrantRead',
  'GrantReadACP',
  'GrantWrite',
  'GrantWriteACP',
]
const OBJECT_LAMBDA = {
  when: ['bucketName', 'Bucket'],
  match: '^arn:[^:]+:s3-object-lambda:',
  reason: 'only requests made through an S3 Object Lambda access point ARN authorize s3-object-lambda:',
}
const S3_VERSION = {
  when: ['versionId', 'VersionId'],
  reason: 'S3 authorizes the *Version* action when the request names a version',
}
const WEB_ACL = (service: string) => ({
  when: ['ResourceArn', 'resourceArn'],
  match: `^arn:[^:]+:${service}:`,
  reason: `WAF asks for the associated resource's permission only when that resource is a ${service} resource`,
})

/**
 * Global-table replicas: the service reads and writes items on the caller's behalf only when
 * replicas are added — by UpdateTable's ReplicaUpdates/GlobalTableWitnessUpdates, or by a CreateTable
 * that makes the table a replica of a multi-account global table (GlobalTableSourceArn, botocore:
 * "the source table used for the creation of a multi-account global table").
 */
const REPLICAS = {
  when: [
    'ReplicaUpdates',
    'Replicas',
    'ReplicationGroup',
    'GlobalTableWitnessUpdates',
    'GlobalTableSourceArn',
  ],
  reason:
    'global-table replicas: the service reads and writes items on the caller’s behalf only when replicas are added (ReplicaUpdates, GlobalTableWitnessUpdates) or the table is created as a replica (GlobalTableSourceArn)',
}

const DYNAMODB_ITEM_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
]

export const TRIGGERS: readonly TriggerOverride[] = [
  {
    action: 's3:GetObjectAcl',
    operations: ['s3:ListObjectsV2'],
    when: ['fetch-owner', 'FetchOwner'],
    reason: 'ListObjectsV2 returns owners only when asked (fetch-owner)',
  },
  {
    action: 's3:GetObjectAcl',
    operations: ['s3:ListObjects'],
    when: [],
    reason:
      'a V1 listing is authorized by s3:ListBucket alone (owners are shown from the bucket, ACLs disabled by default since 2023); the request names no object, so a grant would be on every object',
  },
  {
    action: 'lambda:GetLayerVersion',
    operations: ['lambda:CreateFunction', 'lambda:UpdateFunctionConfiguration'],
    when: ['Layers'],
    reason: 'Lambda reads each layer named in the request',
  },
  {
    action: 'lambda:PassCapacityProvider',
    when: ['CapacityProviderConfig'],
    reason: 'only functions placed on a capacity provider pass one',
  },
  {
    action: 's3:PutObjectAcl',
    operations: ['s3:PutObject', 's3:CopyObject', 's3:CreateMultipartUpload'],
    when: S3_ACL,
    reason: 'an ACL or grant header on the write',
  },
  {
    action: 's3:PutObjectTagging',
    operations: ['s3:PutObject', 's3:CopyObject', 's3:CreateMultipartUpload'],
    when: ['Tagging', 'x-amz-tagging'],
    reason: 'the x-amz-tagging header on the write',
  },
  {
    action: 's3:PutObjectRetention',
    operations: ['s3:PutObject', 's3:CopyObject', 's3:CreateMultipartUpload'],
    when: [
      'ObjectLockMode',
      'ObjectLockRetainUntilDate',
      'x-amz-object-lock-mode',
      'x-amz-object-lock-retain-until-date',
    ],
    reason: 'object-lock retention headers on the write',
  },
  {
    action: 's3:PutObjectLegalHold',
    operations: ['s3:PutObject', 's3:CopyObject', 's3:CreateMultipartUpload'],
    when: ['ObjectLockLegalHoldStatus', 'x-amz-object-lock-legal-hold'],
    reason: 'the object-lock legal-hold header on the write',
  },
  {
    action: 's3:BypassGovernanceRetention',
    when: ['BypassGovernanceRetention', 'x-amz-bypass-governance-retention'],
    reason: 'only requests that bypass governance-mode retention',
  },
  {
    action: 's3:PutBucketObjectLockConfiguration',
    operations: ['s3:CreateBucket'],
    when: ['ObjectLockEnabledForBucket', 'x-amz-bucket-object-lock-enabled'],
    reason: 'a bucket created with object lock enabled',
  },
  {
    action: 's3:PutBucketVersioning',
    operations: ['s3:CreateBucket'],
    when: ['ObjectLockEnabledForBucket', 'x-amz-bucket-object-lock-enabled'],
    reason: 'object lock turns versioning on at create',
  },
  {
    action: 's3:PutBucketOwnershipControls',
    operations: ['s3:CreateBucket'],
    when: ['ObjectOwnership', 'x-amz-object-ownership'],
    reason: 'the x-amz-object-ownership header at create',
  },
  {
    action: 's3:PutBucketAcl',
    operations: ['s3:CreateBucket'],
    when: S3_ACL,
    reason: 'an ACL or grant header at create',
  },
  {
    action: 's3:GetObjectVersion',
    operations: ['s3:CopyObject', 's3:UploadPartCopy'],
    when: ['x-amz-copy-source', 'CopySource', 'copySource'],
    match: 'versionId=',
    resource: 'copy-source',
    reason: 'a copy of a named source version reads that version',
  },
  {
    action: 's3:GetObjectVersion',
    operations: ['s3:GetObject', 's3:HeadObject', 's3:GetObjectAttributes'],
    ...S3_VERSION,
  },
  { action: 's3:DeleteObjectVersion', operations: ['s3:DeleteObject', 's3:DeleteObjects'], ...S3_VERSION },
  { action: 's3:GetObjectVersionAcl', ...S3_VERSION },
  { action: 's3:PutObjectVersionAcl', ...S3_VERSION },
  { action: 's3:GetObjectVersionTagging', ...S3_VERSION },
  { action: 's3:PutObjectVersionTagging', ...S3_VERSION },
  { action: 's3:DeleteObjectVersionTagging', ...S3_VERSION },
  {
    action: 's3:GetObjectTagging',
    operations: ['s3:GetObject'],
    when: ['x-amz-tagging-count'],
    reason: 'GetObject returns the tag count only to callers allowed to read tags; it never fails without it',
  },
  {
    action: 's3:GetObjectLegalHold',
    operations: ['s3:GetObject', 's3:HeadObject'],
    when: ['x-amz-object-lock-legal-hold'],
    reason: 'the legal-hold status is returned only when readable; the read never fails without it',
  },
  {
    action: 's3:GetObjectRetention',
    operations: ['s3:GetObject', 's3:HeadObject'],
    when: ['x-amz-object-lock-mode'],
    reason: 'the retention is returned only when readable; the read never fails without it',
  },
  { action: 's3-object-lambda:AbortMultipartUpload', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:DeleteObject', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:DeleteObjectTagging', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:GetObject', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:GetObjectAcl', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:GetObjectLegalHold', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:GetObjectRetention', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:GetObjectTagging', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:ListBucket', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:ListBucketMultipartUploads', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:ListMultipartUploadParts', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:PutObject', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:PutObjectAcl', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:PutObjectLegalHold', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:PutObjectRetention', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:PutObjectTagging', ...OBJECT_LAMBDA },
  { action: 's3-object-lambda:RestoreObject', ...OBJECT_LAMBDA },
  {
    action: 'rds:CreateDBSnapshot',
    operations: ['rds:DeleteDBInstance', 'rds:DeleteTenantDatabase'],
    when: ['FinalDBSnapshotIdentifier'],
    reason: 'a final snapshot is taken only when the request names one',
  },
  {
    action: 'rds:AddTagsToResource',
    operations: ['rds:DeleteDBInstance', 'rds:DeleteDBCluster', 'rds:DeleteTenantDatabase'],
    when: ['FinalDBSnapshotIdentifier'],
    reason: 'the final snapshot is tagged (CopyTagsToSnapshot); no final snapshot, no tags',
  },
  {
    action: 'rds:AddTagsToResource',
    operations: ['rds:StopDBInstance'],
    when: ['DBSnapshotIdentifier'],
    reason: 'the snapshot a StopDBInstance takes is tagged; no snapshot named, no tags',
  },
  {
    action: 'eks:CreateAccessEntry',
    operations: ['eks:UpdateClusterConfig'],
    when: ['accessConfig'],
    reason:
      'an UpdateClusterConfig creates access entries only when it changes the cluster access configuration (accessConfig: moving to the API authentication mode); a logging, VPC or upgrade-policy change creates none',
  },
  {
    action: 'states:RevealSecrets',
    operations: ['states:TestState'],
    when: ['revealSecrets'],
    reason:
      'only a TestState that asks for secrets in the HTTP task result (revealSecrets, botocore TestStateInput)',
  },
  {
    action: 'rds:CreateDBSnapshot',
    operations: ['rds:StopDBInstance'],
    when: ['DBSnapshotIdentifier'],
    reason: 'StopDBInstance snapshots only when the request names a snapshot',
  },
  {
    action: 'rds:CreateDBClusterSnapshot',
    operations: ['rds:DeleteDBCluster'],
    when: ['FinalDBSnapshotIdentifier'],
    reason: 'a final snapshot is taken only when the request names one',
  },
  {
    action: 'elasticache:CreateSnapshot',
    operations: ['elasticache:DeleteCacheCluster', 'elasticache:DeleteReplicationGroup'],
    when: ['FinalSnapshotIdentifier'],
    reason: 'a final snapshot is taken only when the request names one',
  },
  {
    action: 'elasticache:CreateServerlessCacheSnapshot',
    operations: ['elasticache:DeleteServerlessCache'],
    when: ['FinalSnapshotName'],
    reason: 'a final snapshot is taken only when the request names one',
  },
  {
    action: 'sts:SetSourceIdentity',
    when: ['SourceIdentity'],
    reason: 'only when the request sets a source identity',
  },
  {
    action: 'sts:SetContext',
    when: ['ProvidedContexts'],
    reason: 'only when the request passes provided contexts',
  },
  {
    action: 'kms:PutKeyPolicy',
    operations: ['kms:CreateKey'],
    when: ['Policy'],
    reason: 'only when CreateKey is given a key policy',
  },
  {
    action: 'dynamodb:PutResourcePolicy',
    operations: ['dynamodb:CreateTable'],
    when: ['ResourcePolicy'],
    reason: 'only when the table is created with a resource policy',
  },
  ...DYNAMODB_ITEM_ACTIONS.map((action) => ({
    action,
    operations: ['dynamodb:CreateTable', 'dynamodb:UpdateTable'],
    ...REPLICAS,
  })),
  ...DYNAMODB_ITEM_ACTIONS.map((action) => ({
    action,
    operations: ['dynamodb:RestoreTableFromBackup', 'dynamodb:RestoreTableToPointInTime'],
    when: ['TargetTableName'],
    resource: 'named' as const,
    reason:
      'a restore writes the items into the table it creates (TargetTableName, which every restore names) as the caller: DynamoDB developer guide, backuprestore_IAM, grants these item actions with the restore action',
  })),
  ...[
    'dynamodb:AssociateTableReplica',
    'dynamodb:CreateTableReplica',
    'dynamodb:ReplicateSettings',
    'dynamodb:WriteDataForReplication',
    'dynamodb:CreateGlobalTableWitness',
    'dynamodb:DeleteGlobalTableWitness',
  ].map((action) => ({
    action,
    operations: [
      'dynamodb:CreateTable',
      'dynamodb:UpdateTable',
      'dynamodb:RestoreTableToPointInTime',
      'dynamodb:RestoreTableFromBackup',
    ],
    ...REPLICAS,
  })),
  {
    action: 'sns:PutDataProtectionPolicy',
    operations: ['sns:CreateTopic'],
    when: ['DataProtectionPolicy'],
    reason: 'only when the topic is created with a data-protection policy',
  },
  {
    action: 'secretsmanager:ReplicateSecretToRegions',
    operations: ['secretsmanager:CreateSecret'],
    when: ['AddReplicaRegions'],
    reason: 'only when the secret is created with replicas',
  },
  {
    action: 'ecr:PutLifecyclePolicy',
    operations: ['ecr:CreateRepositoryCreationTemplate', 'ecr:UpdateRepositoryCreationTemplate'],
    when: ['LifecyclePolicy'],
    reason: 'only when the template carries a lifecycle policy',
  },
  {
    action: 'ecr:SetRepositoryPolicy',
    operations: ['ecr:CreateRepositoryCreationTemplate', 'ecr:UpdateRepositoryCreationTemplate'],
    when: ['RepositoryPolicy'],
    reason: 'only when the template carries a repository policy',
  },
  {
    action: 'states:PublishStateMachineVersion',
    when: ['publish', 'versionDescription'],
    reason: 'only when the request publishes a version',
  },
  {
    action: 'cloudformation:SetStackPolicy',
    operations: ['cloudformation:UpdateStack'],
    when: ['StackPolicyBody', 'StackPolicyURL'],
    reason: 'only when the update replaces the stack policy',
  },
  {
    action: 'apigateway:UpdateRestApiPolicy',
    operations: [
      'apigateway:CreateRestApi',
      'apigateway:ImportRestApi',
      'apigateway:PutRestApi',
      'apigateway:UpdateRestApi',
    ],
    when: ['policy', 'body', 'patchOperations'],
    reason: 'a resource policy set at create (policy), in an imported definition (body) or by a patch',
  },
  {
    action: 'apigateway:UpdateDomainNamePolicy',
    operations: ['apigateway:CreateDomainName', 'apigateway:UpdateDomainName'],
    when: ['policy', 'patchOperations'],
    reason: 'only a private custom domain name carries a policy',
  },
  {
    action: 'apigateway:AddCertificateToDomain',
    operations: ['apigateway:CreateDomainName', 'apigateway:UpdateDomainName'],
    when: ['certificateArn', 'regionalCertificateArn', 'certificateBody', 'patchOperations'],
    reason: 'a certificate attached to the domain name',
  },
  {
    action: 'logs:Unmask',
    operations: ['logs:StartQuery'],
    when: ['queryString'],
    match: '\\bunmask\\(',
    reason:
      'only a Logs Insights query that calls unmask() reads masked data unmasked (CloudWatch Logs user guide, mask-sensitive-log-data); the request carries no unmask member',
  },
  {
    action: 'logs:Unmask',
    when: ['unmask'],
    reason: 'only requests that ask for unmasked data (unmask=true)',
  },
  {
    action: 'codestar-connections:PassConnection',
    when: ['ConnectionArn'],
    match: '^arn:[^:]+:(codestar-connections|codeconnections):',
    resource: 'value',
    reason:
      'a pipeline action that uses a connection names it in its configuration (ConnectionArn), on that connection; CodeStar Connections was renamed CodeConnections, and a connection made under the new name has a codeconnections ARN',
  },
  {
    action: 'rds:DeleteDBInstance',
    operations: ['rds:DeleteDBCluster'],
    when: [],
    reason:
      "a cluster's instances are deleted by their own DeleteDBInstance calls first (the request names none); only a Multi-AZ DB cluster deletes its members with it",
  },
  {
    action: 'states:DescribeExecution',
    operations: ['states:StartExecution'],
    when: ['name'],
    reason:
      'the only StartExecution that reads an existing execution is a named one: botocore StartExecution documents that a call with the name and input of a running execution returns that execution (idempotency); an unnamed call gets a new id',
  },
  {
    action: 'rds:CreateDBInstance',
    operations: ['rds:CreateDBCluster'],
    when: ['DBClusterInstanceClass'],
    reason:
      'only a Multi-AZ DB cluster (the only kind with DBClusterInstanceClass, botocore CreateDBClusterMessage) creates its DB instances with it; an Aurora cluster gets its instances from CreateDBInstance calls of its own',
  },
  {
    action: 'rds:ModifyDBInstance',
    operations: ['rds:ModifyDBCluster'],
    when: ['DBClusterInstanceClass', 'AllocatedStorage', 'Iops'],
    reason:
      'a modification a Multi-AZ DB cluster applies to its DB instances (their class, storage or IOPS; botocore ModifyDBClusterMessage); an Aurora cluster modifies its instances by their own calls',
  },
  {
    action: 'rds:CreateTenantDatabase',
    operations: ['rds:CreateDBInstance'],
    when: ['MultiTenant'],
    reason:
      'only an instance created in the multi-tenant configuration (MultiTenant, botocore CreateDBInstanceMessage) holds tenant databases',
  },
  {
    action: 'rds:DeleteTenantDatabase',
    operations: ['rds:DeleteDBInstance'],
    when: [],
    reason:
      'only an instance in the multi-tenant configuration has tenant databases, which the request does not show; a grant on every deploy would add a delete nobody used',
  },
  {
    action: 'cloudfront:CreateConnectionGroup',
    operations: ['cloudfront:CreateDistribution', 'cloudfront:CreateDistributionWithTags'],
    when: ['ConnectionMode'],
    match: '^tenant-only$',
    reason:
      'only multi-tenant distributions (ConnectionMode tenant-only) create a connection group; a standard distribution does not',
  },
  {
    action: 'cloudfront:GetVpcOrigin',
    when: ['VpcOriginConfig', 'VpcOriginId'],
    reason: 'only origins that are VPC origins',
  },
  {
    action: 'apigateway:SetWebACL',
    operations: ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL'],
    ...WEB_ACL('apigateway'),
  },
  {
    action: 'appsync:SetWebACL',
    operations: ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL'],
    ...WEB_ACL('appsync'),
  },
  { action: 'appsync:AssociateWebACL', operations: ['wafv2:AssociateWebACL'], ...WEB_ACL('appsync') },
  { action: 'appsync:DisassociateWebACL', operations: ['wafv2:DisassociateWebACL'], ...WEB_ACL('appsync') },
  {
    action: 'appsync:GetWebACLForResource',
    operations: ['wafv2:GetWebACLForResource'],
    ...WEB_ACL('appsync'),
  },
  {
    action: 'elasticloadbalancing:SetWebAcl',
    operations: ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL'],
    ...WEB_ACL('elasticloadbalancing'),
  },
  {
    action: 'elasticloadbalancing:CreateWebACLAssociation',
    operations: ['wafv2:AssociateWebACL'],
    ...WEB_ACL('elasticloadbalancing'),
  },
  {
    action: 'elasticloadbalancing:DeleteWebACLAssociation',
    operations: ['wafv2:DisassociateWebACL'],
    ...WEB_ACL('elasticloadbalancing'),
  },
  {
    action: 'elasticloadbalancing:GetLoadBalancerWebACL',
    operations: ['wafv2:GetWebACLForResource'],
    ...WEB_ACL('elasticloadbalancing'),
  },
  { action: 'cognito-idp:AssociateWebACL', operations: ['wafv2:AssociateWebACL'], ...WEB_ACL('cognito-idp') },
  {
    action: 'cognito-idp:DisassociateWebACL',
    operations: ['wafv2:DisassociateWebACL'],
    ...WEB_ACL('cognito-idp'),
  },
  {
    action: 'cognito-idp:GetWebACLForResource',
    operations: ['wafv2:GetWebACLForResource'],
    ...WEB_ACL('cognito-idp'),
  },
]

/**
 * Actions an operation authorizes that its SAR row does not list yet, each with its source. Applied
 * only to the operations named.
 */
export const ADDED_ACTIONS: readonly (TriggerOverride & { operations: string[] })[] = [
  {
    action: 'codeconnections:PassConnection',
    operations: ['codepipeline:CreatePipeline', 'codepipeline:UpdatePipeline'],
    when: ['ConnectionArn'],
    match: '^arn:[^:]+:codeconnections:',
    resource: 'value',
    reason:
      'CodeStar Connections was renamed CodeConnections (CodePipeline user guide, connections); a connection made under the new name has a codeconnections ARN, and the SAR row still lists only codestar-connections:PassConnection, so both are granted on that connection',
  },
]

/**
 * Role-carrying request members the shapes do not name as roles (the walk looks for string members
 * whose name ends in Role/RoleArn), and iam:PassRole for operations the SAR tables here do not
 * cover (EC2 and SageMaker pages predate the table). These were iamtrail's hand-written PassRole
 * rules; each keeps its source.
 */
export interface PassRoleOverride {
  operation: string
  when: string[]
  passedTo?: string[]
  instanceProfile?: boolean
  reason: string
}

const IAM_REF = 'IAM user guide, id_roles_use_passrole'
const EC2_PROFILE = {
  when: ['iamInstanceProfile', 'IamInstanceProfile'],
  passedTo: ['ec2.amazonaws.com'],
  instanceProfile: true,
  reason: `${IAM_REF}: an instance profile passes its role to EC2`,
}

export const PASS_ROLE_OVERRIDES: readonly PassRoleOverride[] = [
  {
    operation: 'apigateway:CreateAuthorizer',
    when: ['authorizerCredentials'],
    reason: 'API Gateway: authorizer credentials are a role ARN',
  },
  { operation: 'autoscaling:CreateLaunchConfiguration', ...EC2_PROFILE },
  {
    operation: 'iam:AddRoleToInstanceProfile',
    when: ['RoleName'],
    reason: 'IAM: adding a role to an instance profile passes it (the request names the role)',
  },
  {
    operation: 'codebuild:StartBuild',
    when: ['serviceRoleOverride'],
    reason: 'CodeBuild: a build may run under an overriding service role',
  },
  {
    operation: 'apigateway:PutIntegration',
    when: ['credentials'],
    reason: 'API Gateway: integration credentials are a role ARN',
  },
  { operation: 'ec2:AssociateIamInstanceProfile', ...EC2_PROFILE },
  { operation: 'ec2:ReplaceIamInstanceProfileAssociation', ...EC2_PROFILE },
  { operation: 'ec2:RequestSpotInstances', ...EC2_PROFILE },
  { operation: 'ec2:RunInstances', ...EC2_PROFILE },
  {
    operation: 'ec2:CreateFlowLogs',
    when: ['DeliverLogsPermissionArn', 'DeliverCrossAccountRole'],
    passedTo: ['vpc-flow-logs.amazonaws.com'],
    reason: 'EC2 user guide: flow-logs-iam-role',
  },
  {
    operation: 'elasticmapreduce:RunJobFlow',
    when: ['ServiceRole', 'JobFlowRole', 'AutoScalingRole'],
    passedTo: [
      'elasticmapreduce.amazonaws.com',
      'ec2.amazonaws.com',
      'application-autoscaling.amazonaws.com',
    ],
    reason: 'EMR management guide: emr-iam-roles',
  },
  {
    operation: 'sagemaker:CreateModel',
    when: ['ExecutionRoleArn'],
    passedTo: ['sagemaker.amazonaws.com'],
    reason: IAM_REF,
  },
  {
    operation: 'sagemaker:CreateNotebookInstance',
    when: ['RoleArn'],
    passedTo: ['sagemaker.amazonaws.com'],
    reason: IAM_REF,
  },
  {
    operation: 'sagemaker:CreateTrainingJob',
    when: ['RoleArn'],
    passedTo: ['sagemaker.amazonaws.com'],
    reason: IAM_REF,
  },
  {
    operation: 'events:PutTargets',
    when: ['RoleArn'],
    reason: 'EventBridge: a target role sits inside Targets[]',
  },
  {
    operation: 'cloudformation:CreateStackSet',
    when: ['AdministrationRoleARN'],
    reason: 'CloudFormation: stacksets-prereqs',
  },
  {
    operation: 'cloudformation:UpdateStackSet',
    when: ['AdministrationRoleARN'],
    reason: 'CloudFormation: stacksets-prereqs',
  },
]
