data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

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
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stack/orders-api-prod/*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/app"  = "orders-api"
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
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
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stack/orders-api-prod/*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
          }
        }
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
        Condition = {
          StringEquals = {
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
          }
        }
      },
      {
        Sid    = "CloudformationWrite3"
        Effect = "Allow"
        Action = [
          "cloudformation:TagResource",
        ]
        Resource = [
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:changeSet/awscli-cloudformation-package-deploy-*/*",
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stack/orders-api-prod/*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/app"  = "orders-api"
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
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
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:changeSet/awscli-cloudformation-package-deploy-*/*",
        ]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/app" = "orders-api"
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
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
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:changeSet/awscli-cloudformation-package-deploy-*/*",
          "arn:aws:cloudformation:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stack/orders-api-prod/*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
          }
        }
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
          "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/orders-api-prod-OrdersFunctionRole-*",
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
          "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/orders-api-prod-OrdersFunctionRole-*",
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
          "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/orders-api-prod-OrdersFunctionRole-*",
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
          "arn:aws:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:orders-api-prod-OrdersFunction-*",
        ]
        Condition = {
          StringEquals = {
            "aws:ResourceTag/aws:cloudformation:stack-name" = "orders-api-prod"
            "aws:RequestedRegion"                           = [
              "eu-west-1",
              "us-east-1",
            ]
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
          "arn:aws:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:orders-api-prod-OrdersFunction-*",
        ]
        Condition = {
          StringEquals = {
            "aws:RequestTag/aws:cloudformation:stack-name" = "orders-api-prod"
            "aws:RequestedRegion"                          = [
              "eu-west-1",
              "us-east-1",
            ]
          }
        }
      },
      {
        Sid    = "S3Write"
        Effect = "Allow"
        Action = [
          "s3:CreateBucket",
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
      {
        Sid    = "S3Write2"
        Effect = "Allow"
        Action = [
          "s3:PutBucketTagging",
        ]
        Resource = [
          "arn:aws:s3:::orders-api-prod-assetsbucket-*",
        ]
        Condition = {
          StringEquals = {
            "s3:ResourceAccount"  = "123456789012"
            "aws:RequestedRegion" = [
              "eu-west-1",
              "us-east-1",
            ]
          }
        }
      },
    ]
  })
}
