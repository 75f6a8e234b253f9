-- iamtrail: CloudTrail table for ONE account's trail, with partition projection.
-- Parameters (substituted by `iamtrail queries print|install`, validated, never user SQL):
--   {{database}}  {{table}}  {{bucket_prefix}}  s3://BUCKET/PREFIX/AWSLogs/
--   {{accounts}}  the account id (a projection enum of one, so queries prune accounts the same way
--                 on both layouts)
--   {{regions}}   comma-separated regions the trail logs (projection enum)
--   {{start_day}} first day of logs, yyyy/MM/dd
-- Partitions: account (enum), region (enum), "timestamp" (date yyyy/MM/dd, one per day). Queries filter all three.
CREATE EXTERNAL TABLE IF NOT EXISTS {{database}}.{{table}} (
  eventversion STRING,
  useridentity STRUCT<
    type: STRING, principalid: STRING, arn: STRING, accountid: STRING, invokedby: STRING,
    accesskeyid: STRING, username: STRING,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      sourceidentity: STRING>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  eventcategory STRING,
  managementevent STRING
)
PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '{{bucket_prefix}}'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account.type' = 'enum',
  'projection.account.values' = '{{accounts}}',
  'projection.region.type' = 'enum',
  'projection.region.values' = '{{regions}}',
  'projection.timestamp.type' = 'date',
  'projection.timestamp.format' = 'yyyy/MM/dd',
  'projection.timestamp.range' = '{{start_day}},NOW',
  'projection.timestamp.interval' = '1',
  'projection.timestamp.interval.unit' = 'DAYS',
  'storage.location.template' = '{{bucket_prefix}}${account}/CloudTrail/${region}/${timestamp}'
)
