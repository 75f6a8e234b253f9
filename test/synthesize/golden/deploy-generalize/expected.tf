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
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/app" = "orders-api"
          }
        }
      },
      {
        Sid    = "CloudformationWrite2"
        Effect = "Allow"
        Action = [
          "cloudformation:DescribeChangeSet",
          "cloudformation:DescribeStackEvents",
          "cloudformation:DescribeStacks",
          "cloudformation:ExecuteChangeSet",
          "cloudformation:TagResource",
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
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-*/*",
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/app" = "orders-api"
          }
        }
      },
      {
        Sid    = "CloudformationWrite4"
        Effect = "Allow"
        Action = [
          "cloudformation:TagResource",
          "cloudformation:UntagResource",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-*/*",
        ]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/app" = "orders-api"
          }
        }
      },
      {
        Sid    = "CloudformationWrite5"
        Effect = "Allow"
        Action = [
          "cloudformation:UntagResource",
        ]
        Resource = [
          "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/awscli-cloudformation-package-deploy-*/*",
          "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-prod/*",
        ]
      },
      {
        Sid    = "IamWrite"
        Effect = "Allow"
        Action = [
          "iam:AttachRolePolicy",
          "iam:GetRole",
          "iam:PutRolePolicy",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-*",
        ]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/aws:cloudformation:stack-name" = "orders-api-prod"
          }
        }
      },
      {
        Sid    = "IamWrite2"
        Effect = "Allow"
        Action = [
          "iam:CreateRole",
          "iam:TagRole",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/aws:cloudformation:stack-name" = "orders-api-prod"
          }
        }
      },
      {
        Sid    = "PassRoleToLambda"
        Effect = "Allow"
        Action = [
          "iam:PassRole",
        ]
        Resource = [
          "arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-*",
        ]
        Condition = {
          StringEquals = {
            "iam:PassedToService"                           = "lambda.amazonaws.com"
            "aws:ResourceTag/aws:cloudformation:stack-name" = "orders-api-prod"
          }
        }
      },
      {
        Sid    = "LambdaWrite"
        Effect = "Allow"
        Action = [
          "lambda:CreateAlias",
          "lambda:GetFunction",
          "lambda:ListTags",
          "lambda:PublishVersion",
        ]
        Resource = [
          "arn:aws:lambda:eu-west-1:123456789012:function:orders-api-prod-OrdersFunction-*",
        ]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/aws:cloudformation:stack-name" = "orders-api-prod"
          }
        }
      },
      {
        Sid    = "LambdaWrite2"
        Effect = "Allow"
        Action = [
          "lambda:CreateFunction",
          "lambda:TagResource",
        ]
        Resource = [
          "arn:aws:lambda:eu-west-1:123456789012:function:orders-api-prod-OrdersFunction-*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/aws:cloudformation:stack-name" = "orders-api-prod"
          }
        }
      },
      {
        Sid    = "S3Write"
        Effect = "Allow"
        Action = [
          "s3:CreateBucket",
          "s3:PutBucketTagging",
        ]
        Resource = [
          "arn:aws:s3:::orders-api-prod-assetsbucket-*",
        ]
        Condition = {
          StringEquals = {
            "s3:ResourceAccount" = "123456789012"
          }
        }
      },
    ]
  })
}
