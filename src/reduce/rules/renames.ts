/**
 * Events whose IAM action is not the event name. Keyed `eventSource:eventName`, sorted, each with
 * the reason and where it is documented. A test checks every action here exists in the Service
 * Authorization Reference.
 */
export interface ActionSpec {
  action: string
  /** Where the resource comes from: the event's own resource (default) or the copy source of a copy. */
  resource?: 'event' | 'copy-source'
  /** The request member that names this action's resource by ARN (ReEncrypt: From on the source key, To on the destination). */
  member?: string
}

export interface RenameRule {
  actions: readonly ActionSpec[]
  reason: string
  ref: string
}

const S3 =
  'S3 userguide: cloudtrail-logging-s3-info (event names vs API) and the S3 actions page of the Service Authorization Reference'
const s3 = (...actions: string[]) => actions.map((action) => ({ action: `s3:${action}` }))

export const RENAMES: Readonly<Record<string, RenameRule>> = {
  'bedrock.amazonaws.com:Converse': {
    actions: [{ action: 'bedrock:InvokeModel' }],
    reason: 'the Converse API is authorized as InvokeModel on the model or inference profile',
    ref: 'Bedrock user guide: conversation-inference (Converse API permissions)',
  },
  'bedrock.amazonaws.com:ConverseStream': {
    actions: [{ action: 'bedrock:InvokeModelWithResponseStream' }],
    reason: 'the streaming Converse API is authorized as InvokeModelWithResponseStream',
    ref: 'Bedrock user guide: conversation-inference (Converse API permissions)',
  },
  'kms.amazonaws.com:ReEncrypt': {
    actions: [
      { action: 'kms:ReEncryptFrom', member: 'sourceKeyId' },
      { action: 'kms:ReEncryptTo', member: 'destinationKeyId' },
    ],
    reason: 'ReEncrypt needs both halves',
    ref: 'KMS developer guide: kms-api-permissions-reference',
  },
  'lambda.amazonaws.com:Invoke': {
    actions: [{ action: 'lambda:InvokeFunction' }],
    reason: 'Invoke is authorized as InvokeFunction',
    ref: 'Lambda: lambda-api-permissions-ref',
  },
  'lambda.amazonaws.com:InvokeAsync': {
    actions: [{ action: 'lambda:InvokeAsync' }, { action: 'lambda:InvokeFunction' }],
    reason: 'deprecated async invoke',
    ref: 'Lambda API: InvokeAsync',
  },
  's3.amazonaws.com:AbortMultipartUpload': {
    actions: s3('AbortMultipartUpload'),
    reason: 'same name',
    ref: S3,
  },
  's3.amazonaws.com:CompleteMultipartUpload': {
    actions: s3('PutObject'),
    reason: 'multipart uploads are authorized as PutObject',
    ref: S3,
  },
  's3.amazonaws.com:CopyObject': {
    actions: [{ action: 's3:PutObject' }, { action: 's3:GetObject', resource: 'copy-source' }],
    reason: 'a copy writes the target and reads the source',
    ref: S3,
  },
  's3.amazonaws.com:CreateMultipartUpload': {
    actions: s3('PutObject'),
    reason: 'multipart uploads are authorized as PutObject',
    ref: S3,
  },
  's3.amazonaws.com:DeleteAccountPublicAccessBlock': {
    actions: s3('PutAccountPublicAccessBlock'),
    reason: 'account-level block (S3 Control) deletion is a Put',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketCors': {
    actions: s3('PutBucketCORS'),
    reason: 'CORS deletion is authorized as PutBucketCORS',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketEncryption': {
    actions: s3('PutEncryptionConfiguration'),
    reason: 'encryption changes are PutEncryptionConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketLifecycle': {
    actions: s3('PutLifecycleConfiguration'),
    reason: 'lifecycle deletion is authorized as PutLifecycleConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketOwnershipControls': {
    actions: s3('PutBucketOwnershipControls'),
    reason: 'ownership changes are PutBucketOwnershipControls',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketPublicAccessBlock': {
    actions: s3('PutBucketPublicAccessBlock'),
    reason: 'deleting the block is a Put of the configuration',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketReplication': {
    actions: s3('PutReplicationConfiguration'),
    reason: 'replication deletion is authorized as PutReplicationConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketTagging': {
    actions: s3('PutBucketTagging'),
    reason: 'tag deletion is authorized as PutBucketTagging',
    ref: S3,
  },
  's3.amazonaws.com:DeleteBucketWebsite': {
    actions: s3('DeleteBucketWebsite'),
    reason: 'same name',
    ref: S3,
  },
  's3.amazonaws.com:DeleteObjects': {
    actions: s3('DeleteObject'),
    reason: 'multi-object delete is authorized per object as DeleteObject',
    ref: S3,
  },
  's3.amazonaws.com:GetAccelerateConfiguration': {
    actions: s3('GetAccelerateConfiguration'),
    reason: 'same name',
    ref: S3,
  },
  's3.amazonaws.com:GetAccountPublicAccessBlock': {
    actions: s3('GetAccountPublicAccessBlock'),
    reason: 'account-level block (S3 Control)',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketAccelerateConfiguration': {
    actions: s3('GetAccelerateConfiguration'),
    reason: 'IAM name drops Bucket',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketAnalyticsConfiguration': {
    actions: s3('GetAnalyticsConfiguration'),
    reason: 'IAM name drops Bucket',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketCors': {
    actions: s3('GetBucketCORS'),
    reason: 'IAM spells CORS in capitals',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketEncryption': {
    actions: s3('GetEncryptionConfiguration'),
    reason: 'encryption is GetEncryptionConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketIntelligentTieringConfiguration': {
    actions: s3('GetIntelligentTieringConfiguration'),
    reason: 'IAM name drops Bucket',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketInventoryConfiguration': {
    actions: s3('GetInventoryConfiguration'),
    reason: 'IAM name drops Bucket',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketLifecycle': {
    actions: s3('GetLifecycleConfiguration'),
    reason: 'lifecycle is GetLifecycleConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketLifecycleConfiguration': {
    actions: s3('GetLifecycleConfiguration'),
    reason: 'lifecycle is GetLifecycleConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketMetricsConfiguration': {
    actions: s3('GetMetricsConfiguration'),
    reason: 'IAM name drops Bucket',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketNotificationConfiguration': {
    actions: s3('GetBucketNotification'),
    reason: 'notification is GetBucketNotification',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketObjectLockConfiguration': {
    actions: s3('GetBucketObjectLockConfiguration'),
    reason: 'same name',
    ref: S3,
  },
  's3.amazonaws.com:GetBucketReplication': {
    actions: s3('GetReplicationConfiguration'),
    reason: 'replication is GetReplicationConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:GetObjectAttributes': {
    actions: s3('GetObjectAttributes'),
    reason: 'same name',
    ref: S3,
  },
  's3.amazonaws.com:GetObjectLockConfiguration': {
    actions: s3('GetBucketObjectLockConfiguration'),
    reason: 'bucket-level object lock configuration',
    ref: S3,
  },
  's3.amazonaws.com:HeadBucket': {
    actions: s3('ListBucket'),
    reason: 'HeadBucket is authorized as ListBucket',
    ref: S3,
  },
  's3.amazonaws.com:HeadObject': {
    actions: s3('GetObject'),
    reason: 'HeadObject is authorized as GetObject',
    ref: S3,
  },
  's3.amazonaws.com:ListBuckets': {
    actions: s3('ListAllMyBuckets'),
    reason: 'ListBuckets is authorized as ListAllMyBuckets',
    ref: S3,
  },
  's3.amazonaws.com:ListObjectVersions': {
    actions: s3('ListBucketVersions'),
    reason: 'object versions are listed with ListBucketVersions',
    ref: S3,
  },
  's3.amazonaws.com:ListObjects': {
    actions: s3('ListBucket'),
    reason: 'object listing is authorized as ListBucket',
    ref: S3,
  },
  's3.amazonaws.com:ListObjectsV2': {
    actions: s3('ListBucket'),
    reason: 'object listing is authorized as ListBucket',
    ref: S3,
  },
  's3.amazonaws.com:ListParts': {
    actions: s3('ListMultipartUploadParts'),
    reason: 'parts are listed with ListMultipartUploadParts',
    ref: S3,
  },
  's3.amazonaws.com:PostObject': {
    actions: s3('PutObject'),
    reason: 'browser POST uploads are PutObject',
    ref: S3,
  },
  's3.amazonaws.com:PutAccountPublicAccessBlock': {
    actions: s3('PutAccountPublicAccessBlock'),
    reason: 'account-level block (S3 Control)',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketAccelerateConfiguration': {
    actions: s3('PutAccelerateConfiguration'),
    reason: 'IAM name drops Bucket',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketCors': {
    actions: s3('PutBucketCORS'),
    reason: 'IAM spells CORS in capitals',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketEncryption': {
    actions: s3('PutEncryptionConfiguration'),
    reason: 'encryption is PutEncryptionConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketLifecycle': {
    actions: s3('PutLifecycleConfiguration'),
    reason: 'lifecycle is PutLifecycleConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketLifecycleConfiguration': {
    actions: s3('PutLifecycleConfiguration'),
    reason: 'lifecycle is PutLifecycleConfiguration',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketNotificationConfiguration': {
    actions: s3('PutBucketNotification'),
    reason: 'notification is PutBucketNotification',
    ref: S3,
  },
  's3.amazonaws.com:PutBucketReplication': {
    actions: s3('PutReplicationConfiguration'),
    reason:
      'replication is PutReplicationConfiguration (the role it names needs iam:PassRole, inferred separately)',
    ref: S3,
  },
  's3.amazonaws.com:PutObjectLockConfiguration': {
    actions: s3('PutBucketObjectLockConfiguration'),
    reason: 'bucket-level object lock configuration',
    ref: S3,
  },
  's3.amazonaws.com:UploadPart': {
    actions: s3('PutObject'),
    reason: 'multipart uploads are authorized as PutObject',
    ref: S3,
  },
  's3.amazonaws.com:UploadPartCopy': {
    actions: [{ action: 's3:PutObject' }, { action: 's3:GetObject', resource: 'copy-source' }],
    reason: 'a part copy writes the target and reads the source',
    ref: S3,
  },
  'ssm.amazonaws.com:CreateControlChannel': {
    actions: [{ action: 'ssmmessages:CreateControlChannel' }],
    reason:
      'Session Manager agents open their channel through ssmmessages:, which CloudTrail logs under ssm (the AccessDenied errorMessage names ssmmessages:CreateControlChannel)',
    ref: 'Systems Manager user guide: session-manager-getting-started-instance-profile',
  },
  'ssm.amazonaws.com:OpenControlChannel': {
    actions: [{ action: 'ssmmessages:OpenControlChannel' }],
    reason: 'as CreateControlChannel: an ssmmessages: action logged under ssm',
    ref: 'Systems Manager user guide: session-manager-getting-started-instance-profile',
  },
}
