// Unreadable artifact records (platform/artifacts/<service>/<instance>.yaml): file:line, the
// field, and a did-you-mean for a misspelled key.
import t from "tap";
import { readArtifacts } from "../../src/platform/artifacts";
import { tmpDir, writeFiles } from "./fixture";

const DIGEST = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:${"a".repeat(64)}`;

t.test("malformed YAML, a misspelled key, a bad artifact, another instance", async (t) => {
  const root = tmpDir(t);
  const dir = "platform/artifacts/orders";
  writeFiles(root, {
    [`${dir}/a.yaml`]: `service: orders\ninstance: a\nartifact: ${DIGEST}\nsource: [unclosed\n`,
    [`${dir}/b.yaml`]: `service: orders\ninstance: b\nartefact: ${DIGEST}\n`,
    [`${dir}/c.yaml`]: "service: orders\ninstance: c\nartifact: nginx:latest\n",
    [`${dir}/d.yaml`]: `service: orders\ninstance: x\nartifact: ${DIGEST}\n`,
    [`${dir}/e.yaml`]: "- just a list\n",
    [`${dir}/ok.yaml`]: `service: orders\ninstance: ok\nartifact: ${DIGEST}\n`,
  });
  const { records, problems } = readArtifacts(root, "orders");
  t.same([...records.keys()], ["ok"]);
  const fix = "(fix: let the pipeline rewrite it, or delete the file to fall back to the service spec)";
  t.same(
    problems.map((p) => p.toString()),
    [
      `platform/artifacts/orders/a.yaml:5: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (fix: correct the YAML syntax, or let the pipeline rewrite it, or delete the file to fall back to the service spec)`,
      `platform/artifacts/orders/b.yaml:3: artefact: unknown field: expected one of service, instance, environment, artifact, code_sha256, source, found "artefact" (fix: did you mean artifact?)`,
      `platform/artifacts/orders/c.yaml:3: artifact: is not an artifact record of this instance: expected an image by digest (<repository>@sha256:<hex>) or s3://bucket/key, found string "nginx:latest" ${fix}`,
      `platform/artifacts/orders/d.yaml:2: instance: expected instance: d (the file's name), found string "x" (fix: name the file <instance>.yaml, or let the pipeline rewrite it, or delete the file to fall back to the service spec)`,
      `platform/artifacts/orders/e.yaml:1: expected an artifact record (a map with service, instance, environment, artifact, code_sha256, source), found array of 1 ${fix}`,
    ],
  );
});
