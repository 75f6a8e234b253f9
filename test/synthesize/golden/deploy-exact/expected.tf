resource "aws_iam_policy" "iamtrail_deployer" {
  name        = "iamtrail-deployer"
  description = "Least privilege for arn:aws:iam::123456789012:role/deployer, from CloudTrail evidence (iamtrail)"
  policy      = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Sid    = "CloudformationWrite"
        Effect = "Allow"
        Action = [
          "cloudformation:CreateChangeSet",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/5b6f1c60-c6a1-11ef-9d2b-0a8e3f4b5c6d",
        ]
      },
      {
        Sid    = "CloudformationWrite2"
        Effect = "Allow"
        Action = [
          "cloudformation:DescribeChangeSet",
          "cloudformation:DescribeStackEvents",
          "cloudformation:DescribeStacks",
          "cloudformation:ExecuteChangeSet",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/*",
        ]
      },
      {
        Sid    = "CloudformationRead"
        Effect = "Allow"
        Action = [
          "cloudformation:ListStacks",
        ]
        Resource = [
          "*",
        ]
      },
      {
        Sid    = "CloudformationWrite3"
        Effect = "Allow"
        Action = [
          "cloudformation:TagResource",
          "cloudformation:UntagResource",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-1763632864/*",
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-1763632864/0f4d5c2a-3b1e-4c7d-9e8f-1a2b3c4d5e6f",
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/*",
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/5b6f1c60-c6a1-11ef-9d2b-0a8e3f4b5c6d",
        ]
      },
      {
        Sid    = "IamWrite"
        Effect = "Allow"
        Action = [
          "iam:AttachRolePolicy",
          "iam:CreateRole",
          "iam:GetRole",
          "iam:PutRolePolicy",
          "iam:TagRole",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-1JX9Q2ZK4M7TB",
        ]
      },
      {
        Sid    = "PassRoleToLambda"
        Effect = "Allow"
        Action = [
          "iam:PassRole",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-1JX9Q2ZK4M7TB",
        ]
        Condition = {
          StringEquals = {
            "iam:PassedToService" = "lambda.amazonaws.com"
          }
        }
      },
      {
        Sid    = "LambdaWrite"
        Effect = "Allow"
        Action = [
          "lambda:CreateAlias",
          "lambda:CreateFunction",
          "lambda:GetFunction",
          "lambda:ListTags",
          "lambda:PublishVersion",
          "lambda:TagResource",
        ]
        Resource = [
          "arn:aws:lambda:eu-west-1:123456789012:function:orders-api-prod-OrdersFunction-Vb3nK8pQ2wXy",
        ]
      },
      {
        Sid    = "S3Write"
        Effect = "Allow"
        Action = [
          "s3:CreateBucket",
          "s3:PutBucketTagging",
        ]
        Resource = [
          "arn:aws:s3:::orders-api-prod-assetsbucket-x3k9p1m2q8rz",
        ]
      },
    ]
  })
}
