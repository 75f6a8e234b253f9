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
          "cloudformation:DescribeChangeSet",
          "cloudformation:DescribeStackEvents",
          "cloudformation:DescribeStacks",
          "cloudformation:ExecuteChangeSet",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-*",
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
        Sid    = "CloudformationWrite2"
        Effect = "Allow"
        Action = [
          "cloudformation:TagResource",
          "cloudformation:UntagResource",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-1763632864/*",
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-1763632864/0f4d5c2a-3b1e-4c7d-9e8f-1a2b3c4d5e6f",
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-*",
        ]
      },
      {
        Sid    = "IamWrite"
        Effect = "Allow"
        Action = [
          "iam:AttachRolePolicy",
          "iam:PutRolePolicy",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-1JX9Q2ZK4M7TB",
        ]
      },
      {
        Sid    = "IamWrite2"
        Effect = "Allow"
        Action = [
          "iam:CreateRole",
          "iam:GetRole",
          "iam:TagRole",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-*",
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
          "arn:aws:lambda:eu-west-1:123456789012:function:orders-api-*",
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
          "arn:aws:s3:::orders-api-*",
        ]
      },
    ]
  })
}
