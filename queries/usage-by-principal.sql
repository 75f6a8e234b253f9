-- iamtrail: usage aggregated per principal: the distinct action-relevant fields with counts and
-- first/last seen, so a 90-day window of a busy role returns thousands of rows, not millions.
-- Parameters (positional):
--   1 first day 'yyyy/MM/dd'   2 last day 'yyyy/MM/dd'   (partition "timestamp")
--   3, 4 regions ',r1,r2,' or '' (twice; partition region)
--   5, 6 accounts ',a1,a2,' or '' (twice; partition account)
--   7 start ISO-8601 UTC       8 end ISO-8601 UTC, exclusive
--   9, 10 principal ARN prefix (twice): rows whose principal (role for sessions, else the ARN) starts with it;
--     '' = every principal
-- Relies on partitions: "timestamp" (and region, account when given).
-- Identifiers: {{table}} is the validated database.table name, never a parameter.
SELECT
  COALESCE(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn) AS principal,
  eventsource, eventname, awsregion, errorcode,
  useridentity.invokedby AS invokedby,
  COUNT(*) AS calls,
  MIN(eventtime) AS first_seen,
  MAX(eventtime) AS last_seen,
  MIN(eventid) AS example_event_id
FROM {{table}}
WHERE "timestamp" BETWEEN ? AND ?
  AND (? = '' OR strpos(?, ',' || region || ',') > 0)
  AND (? = '' OR strpos(?, ',' || account || ',') > 0)
  AND eventtime >= ? AND eventtime < ?
  AND (? = '' OR starts_with(COALESCE(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn), ?))
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
