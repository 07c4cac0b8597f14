import t from "tap";
import { TerraformStack } from "cdktf";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Alb } from "@cdktf/provider-aws/lib/alb";
import { RULES, checkGuardrails } from "../../src/guardrails";
import { guardrailFailure, newStack } from "./fixtures/stacks";

const fixOf = (id: string): string => RULES.find((r) => r.id === id)?.fix ?? "";

/** A web security group with 80 and 443 open to the world, in all three styles. */
function webSecurityGroup(stack: TerraformStack, id: string): SecurityGroup {
  const sg = new SecurityGroup(stack, id, {
    vpcId: "vpc-1",
    ingress: [
      { fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
    ],
  });
  new SecurityGroupRule(stack, `${id}-http`, {
    type: "ingress",
    securityGroupId: sg.id,
    fromPort: 80,
    toPort: 80,
    protocol: "tcp",
    cidrBlocks: ["0.0.0.0/0"],
  });
  new VpcSecurityGroupIngressRule(stack, `${id}-http6`, {
    securityGroupId: sg.id,
    fromPort: 80,
    toPort: 80,
    ipProtocol: "tcp",
    cidrIpv6: "::/0",
  });
  return sg;
}

t.test("safe ingress passes: private CIDRs and source security groups", async (t) => {
  const { stack } = newStack();
  const sg = new SecurityGroup(stack, "app", {
    vpcId: "vpc-1",
    ingress: [{ fromPort: 5432, toPort: 5432, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] }],
    egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
  });
  new SecurityGroupRule(stack, "from-lb", {
    type: "ingress",
    securityGroupId: sg.id,
    fromPort: 8080,
    toPort: 8080,
    protocol: "tcp",
    sourceSecurityGroupId: "sg-123",
  });
  new SecurityGroupRule(stack, "egress-all", {
    type: "egress",
    securityGroupId: sg.id,
    fromPort: 0,
    toPort: 0,
    protocol: "-1",
    cidrBlocks: ["0.0.0.0/0"],
  });
  new VpcSecurityGroupIngressRule(stack, "vpc-only", {
    securityGroupId: sg.id,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "10.0.0.0/8",
  });
  t.same(checkGuardrails(stack), []);
});

t.test("PK-NET-001 fires on open ingress in each style", async (t) => {
  const { stack } = newStack();
  const sg = new SecurityGroup(stack, "ssh", {
    vpcId: "vpc-1",
    ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
  });
  new SecurityGroupRule(stack, "rdp", {
    type: "ingress",
    securityGroupId: sg.id,
    fromPort: 3389,
    toPort: 3389,
    protocol: "tcp",
    ipv6CidrBlocks: ["::/0"],
  });
  new VpcSecurityGroupIngressRule(stack, "everything", { securityGroupId: sg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-NET-001");
  t.match(err.message, "tpl/ssh");
  t.match(err.message, "aws_security_group.ssh ingress[0] allows ingress from 0.0.0.0/0 on ports 22-22");
  t.ok(err.message.includes(fixOf("PK-NET-001")), "names the fix");
  t.same(
    checkGuardrails(stack).map((v) => [v.ruleId, v.path]),
    [
      ["PK-NET-001", "tpl/everything"],
      ["PK-NET-001", "tpl/rdp"],
      ["PK-NET-001", "tpl/ssh"],
    ],
  );
  t.match(checkGuardrails(stack)[0]?.message, "on all ports");
});

t.test("80/443 from anywhere is allowed on the security group of a public load balancer", async (t) => {
  const { stack } = newStack();
  const web = webSecurityGroup(stack, "web");
  const alb = webSecurityGroup(stack, "alb-sg");
  new Lb(stack, "public", { internal: false, loadBalancerType: "application", securityGroups: [web.id] });
  new Alb(stack, "legacy", { securityGroups: [alb.id] }); // internal absent = internet-facing
  t.same(checkGuardrails(stack), []);
});

t.test("the 80/443 exception does not cover internal load balancers, other ports, or unattached groups", async (t) => {
  const { stack } = newStack();
  const internal = webSecurityGroup(stack, "internal-sg");
  new Lb(stack, "internal", { internal: true, securityGroups: [internal.id] });
  const loose = webSecurityGroup(stack, "loose");
  const pub = new SecurityGroup(stack, "public-sg", {
    vpcId: "vpc-1",
    ingress: [{ fromPort: 80, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
  });
  new VpcSecurityGroupIngressRule(stack, "public-ssh", {
    securityGroupId: pub.id,
    fromPort: 22,
    toPort: 22,
    ipProtocol: "tcp",
    cidrIpv4: "0.0.0.0/0",
  });
  new Lb(stack, "public", { internal: false, securityGroups: [pub.id] });
  const paths = checkGuardrails(stack).map((v) => v.path);
  t.same(paths, [
    "tpl/internal-sg",
    "tpl/internal-sg-http",
    "tpl/internal-sg-http6",
    "tpl/loose",
    "tpl/loose-http",
    "tpl/loose-http6",
    "tpl/public-sg",
    "tpl/public-ssh",
  ]);
  t.ok(loose);
});
