-- iamtrail: the events of one principal in a time window, as rows iamtrail turns back into
-- CloudTrail records. Runs on Athena (Trino) and DuckDB alike.
-- Parameters (positional, bound as Athena execution parameters / prepared-statement values):
--   1 first day  'yyyy/MM/dd'      2 last day  'yyyy/MM/dd'      (partition "timestamp")
--   3, 4 regions ',r1,r2,' or '' (twice; partition region; '' = every region)
--   5, 6 accounts ',a1,a2,' or '' (twice; partition account; '' = every account)
--   7 start      ISO-8601 UTC      8 end       ISO-8601 UTC, exclusive
--   9, 10, 11 the principal: a user or session ARN, a role ARN, or an access key id (the same value
--   three times; each can only match its own column)
-- Relies on partitions: "timestamp" (and region, account when given).
-- Identifiers: {{table}} is the validated database.table name, never a parameter.
SELECT
  eventid, eventtime, eventsource, eventname, awsregion, eventtype, eventcategory,
  sourceipaddress, useragent, errorcode, errormessage, readonly, recipientaccountid,
  requestparameters, responseelements,
  useridentity.type AS uid_type, useridentity.principalid AS uid_principalid,
  useridentity.arn AS uid_arn, useridentity.accountid AS uid_accountid,
  useridentity.accesskeyid AS uid_accesskeyid, useridentity.username AS uid_username,
  useridentity.invokedby AS uid_invokedby,
  useridentity.sessioncontext.sessionissuer.type AS issuer_type,
  useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
  useridentity.sessioncontext.sessionissuer.username AS issuer_username,
  useridentity.sessioncontext.sessionissuer.accountid AS issuer_accountid,
  CAST(resources AS JSON) AS resources_json
FROM {{table}}
WHERE "timestamp" BETWEEN ? AND ?
  AND (? = '' OR strpos(?, ',' || region || ',') > 0)
  AND (? = '' OR strpos(?, ',' || account || ',') > 0)
  AND eventtime >= ? AND eventtime < ?
  AND (useridentity.arn = ? OR useridentity.sessioncontext.sessionissuer.arn = ? OR useridentity.accesskeyid = ?)
ORDER BY eventtime, eventid
