-- iamtrail: principals active in a window, with their number of calls and last activity.
-- Parameters (positional):
--   1 first day 'yyyy/MM/dd'   2 last day 'yyyy/MM/dd'   (partition "timestamp")
--   3, 4 regions ',r1,r2,' or '' (twice; partition region)
--   5, 6 accounts ',a1,a2,' or '' (twice; partition account)
--   7 start ISO-8601 UTC       8 end ISO-8601 UTC, exclusive
-- Relies on partitions: "timestamp" (and region, account when given).
-- Identifiers: {{table}} is the validated database.table name, never a parameter.
SELECT
  COALESCE(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn) AS principal,
  COUNT(*) AS calls,
  MIN(eventtime) AS first_seen,
  MAX(eventtime) AS last_seen
FROM {{table}}
WHERE "timestamp" BETWEEN ? AND ?
  AND (? = '' OR strpos(?, ',' || region || ',') > 0)
  AND (? = '' OR strpos(?, ',' || account || ',') > 0)
  AND eventtime >= ? AND eventtime < ?
  AND COALESCE(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn) IS NOT NULL
GROUP BY 1
ORDER BY 2 DESC, 1
