/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/bundle/hcl.test.ts > TAP > HCL output is what terraform fmt leaves, and parses back to the same meaning > rendered HCL 1`] = `
terraform {
  required_version = ">= 1.7.0"

  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100.0"
    }
  }
}

provider "aws" {
  default_tags {
    tags = var.proton_tags
  }
}

variable "own" {
  default     = "x"
  description = "An own variable."
  type        = string
}

locals {
  a = 1
  b = null
  c = var.x
}

resource "aws_lb_listener" "http" {
  port = 80

  default_action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.a.arn
        weight = 1
      }
    }
  }
}

resource "aws_security_group" "web" {
  count       = var.n
  depends_on  = [aws_vpc.main]
  description = "x-\${var.environment.name}-$\${literal}-%%{literal}"
  name        = "quote \\" backslash \\\\ newline \\n tab \\t done"
  tags = {
    Name             = "web"
    "proton:service" = var.service.name
    nested = {
      a   = 1
      bbb = true
    }
  }
  vpc_id = var.environment.outputs.vpc_id

  ingress {
    cidr_blocks = ["0.0.0.0/0"]
    from_port   = 80
    protocol    = "tcp"
    to_port     = 80
  }

  ingress {
    cidr_blocks = ["0.0.0.0/0"]
    from_port   = 443
    protocol    = "tcp"
    to_port     = 443
  }

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]
  }
}

resource "aws_ssm_parameter" "p" {
  name  = "\${var.a}\${var.b}"
  type  = "String"
  value = jsonencode({ "a" = var.x, "b" = "\${var.y}-z", "c" = [for s in var.l : { "k" = s }] })
}

output "url" {
  description = "The URL."
  sensitive   = true
  value       = aws_lb_listener.http.arn
}

`

exports[`test/bundle/hcl.test.ts > TAP > long object and list literals are laid out over several lines, terraform fmt clean, meaning kept > laid-out HCL 1`] = `
locals {
  endpoints = merge([
    for key, found in data.aws_ssm_parameters_by_path.imports : {
      for i, name in found.names : format(
        "%s_%s",
        upper(key),
        upper(replace(basename(name), "/[^0-9A-Za-z]+/", "_")),
      ) => found.values[i]
    }
  ]...)
}

resource "aws_iam_policy" "p" {
  name = "p"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"       = "ReadBucket"
        "Effect"    = "Allow"
        "Action"    = ["s3:GetObject", "s3:ListBucket"]
        "Resource"  = [aws_s3_bucket.b.arn, "\${aws_s3_bucket.b.arn}/*"]
        "Condition" = { "Bool" = { "aws:SecureTransport" = "true" } }
      },
      { "Effect" = "Allow", "Action" = "kms:Decrypt", "Resource" = "*" },
    ]
  })
}

resource "aws_ssm_parameter" "q" {
  name = "q"
  type = var.short
  value = join(
    ",",
    concat(
      ["alpha-one-two-three", "beta-four-five-six", "gamma-seven-eight-nine"],
      [for s in var.list : upper(s)],
    ),
  )
}

`
