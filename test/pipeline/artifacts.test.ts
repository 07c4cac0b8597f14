/** Artifact records (what the pipelines deployed) in the platform repository and the inputs they set. */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { readArtifacts, withArtifact } from "../../src/platform/artifacts";
import { tempDir } from "./helpers";

const DIGEST = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:${"a".repeat(64)}`;

t.test("records set the image of a web instance and the code of a function", async (t) => {
  const root = tempDir(t);
  const dir = path.join(root, "platform/artifacts/orders");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "orders-test.yaml"), `service: orders\ninstance: orders-test\nenvironment: test\nartifact: ${DIGEST}\ncode_sha256: ""\nsource: https://github.com/acme/orders/commit/abc\n`);
  fs.writeFileSync(path.join(dir, "orders-zip.yaml"), "service: orders\ninstance: orders-zip\nenvironment: test\nartifact: s3://acme-artifacts/orders/abc/function.zip\ncode_sha256: \"x=\"\n");
  fs.writeFileSync(path.join(dir, "orders-bad.yaml"), "service: orders\ninstance: orders-bad\nartifact: nginx:latest\n");
  const { records, problems } = readArtifacts(root, "orders");
  t.same([...records.keys()], ["orders-test", "orders-zip"]);
  t.match(problems[0].toString(), /orders-bad\.yaml:3: artifact: is not an artifact record/);
  t.same(withArtifact("public-web-service", { image: "nginx:1", port: 80 }, records.get("orders-test")), { image: DIGEST, port: 80 });
  t.same(withArtifact("function-service", { code_s3_bucket: "b", code_s3_key: "k" }, records.get("orders-test")), { image_uri: DIGEST });
  t.same(withArtifact("function-service", { image_uri: DIGEST }, records.get("orders-zip")), { code_s3_bucket: "acme-artifacts", code_s3_key: "orders/abc/function.zip" });
  t.same(withArtifact("public-web-service", { image: "nginx:1" }, undefined), { image: "nginx:1" });
  t.same(readArtifacts(root, "nothing").records.size, 0);
});
