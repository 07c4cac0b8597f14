import t from "tap";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkPlan, type PlanJson } from "../../src/provision/plan-policy";
import { tmp } from "./helpers";

// A real create-only plan of AWS resources: fake static keys, skip_* flags, no data sources,
// providers from the offline mirror (PROTONKIT_PLUGIN_DIR, default /opt/tf-plugins).
const pluginDir = process.env.PROTONKIT_PLUGIN_DIR || "/opt/tf-plugins";
const available =
  spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0 && fs.existsSync(path.join(pluginDir, "registry.terraform.io/hashicorp/aws"));

const MAIN_TF = `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "proton_tags" {
  type    = map(string)
  default = {}
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAFAKEFAKEFAKEFAKE"
  secret_key                  = "fake-secret-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  default_tags {
    tags = var.proton_tags
  }
}

resource "aws_s3_bucket" "site" {
  bucket = "protonkit-policy-test-site"
}

resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "site" {
  bucket = aws_s3_bucket.site.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_security_group" "open" {
  name   = "open"
  vpc_id = "vpc-12345678"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

t.test("policy on a real plan of a public bucket and an open security group", { skip: available ? false : "terraform or the provider mirror is missing", timeout: 300_000 }, async (t) => {
  const dir = tmp(t);
  fs.writeFileSync(path.join(dir, "main.tf"), MAIN_TF);
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", AWS_EC2_METADATA_DISABLED: "true" };
  const tf = (args: string[]): string => {
    const r = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`terraform ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  };
  tf(["init", "-input=false", "-backend=false", `-plugin-dir=${pluginDir}`]);
  tf(["plan", "-input=false", "-lock=false", "-refresh=false", "-out=tfplan"]);
  const plan = JSON.parse(tf(["show", "-json", "tfplan"])) as PlanJson;
  t.ok((plan.resource_changes ?? []).every((rc) => rc.change.actions.join() === "create"), "create-only");

  const r = checkPlan(plan, "environments/dev/services/web/instances/site");
  t.same(
    r.violations.map((v) => [v.ruleId, v.address]),
    [
      ["PK-S3-001", "aws_s3_bucket.site"],
      ["PK-S3-003", "aws_s3_bucket.site"],
      ["PK-NET-001", "aws_security_group.open"],
    ],
    "the public access block and the encryption are matched to the bucket through `aws_s3_bucket.site.id`; the provider's default_tags pass",
  );
  t.match(r.violations[0]?.message, /does not set block_public_acls, block_public_policy to true/);
  t.match(r.violations[2]?.message, /ingress\[0\] allows ingress from 0\.0\.0\.0\/0 on ports 22-22/);
});
