import t from "tap";
import { arnDefaults, ID_IS_ARN, mockArn } from "../../src/terraform/arn-defaults";
import { DEFAULT_AWS_MOCK_DATA } from "../../src/terraform/baseline";

t.test("every computed ARN attribute gets an ARN-shaped default", async (t) => {
  t.same(arnDefaults("resource", "aws_iam_role"), { arn: "arn:aws:iam::111111111111:role/mock" });
  t.same(arnDefaults("resource", "aws_cloudwatch_log_group"), { arn: "arn:aws:logs:us-east-1:111111111111:log-group/mock" });
  t.same(arnDefaults("resource", "aws_no_such_type"), {});
});

t.test("a resource whose id is its ARN gets the ARN as id too", async (t) => {
  t.same(arnDefaults("resource", "aws_ecs_service"), { id: "arn:aws:ecs:us-east-1:111111111111:service/mock" }, "aws_ecs_service has no arn attribute: its id is the ARN");
  const lb = arnDefaults("resource", "aws_lb");
  t.equal(lb.id, lb.arn, "id and arn agree, as in AWS");
  t.notOk("id" in arnDefaults("data", "aws_lb"), "data sources keep their ids");
  t.notOk("id" in arnDefaults("resource", "aws_iam_role"), "an IAM role's id is its name");
  for (const type of ID_IS_ARN) t.match(mockArn(type, "arn"), /^arn:aws:[a-z-]+:/, type);
});

t.test("an SSM path lookup finds one parameter by default", async (t) => {
  const d = DEFAULT_AWS_MOCK_DATA.aws_ssm_parameters_by_path as Record<string, readonly unknown[]>;
  t.equal(d.names?.length, 1);
  t.equal(d.values?.length, 1, "as many values as names");
});
