// The editor schemas of desired-state files: valid draft-07, the same ones the reader checks with.
import t from "tap";
import * as fs from "node:fs";
import Ajv from "ajv";
import { parse } from "yaml";
import { ENVIRONMENT_FILE_SCHEMA, SCHEMA_PATHS, SERVICE_FILE_SCHEMA } from "../../src/platform/model";
import { ENV_FILE, SERVICE_FILE } from "./fixture";

t.test("the committed schema files are the ones the reader uses, and compile in strict mode", async (t) => {
  t.same(JSON.parse(fs.readFileSync(SCHEMA_PATHS.environment, "utf8")), ENVIRONMENT_FILE_SCHEMA);
  t.same(JSON.parse(fs.readFileSync(SCHEMA_PATHS.service, "utf8")), SERVICE_FILE_SCHEMA);
  const ajv = new Ajv({ strict: true, allErrors: true });
  const env = ajv.compile(ENVIRONMENT_FILE_SCHEMA);
  const svc = ajv.compile(SERVICE_FILE_SCHEMA);
  t.ok(env(parse(ENV_FILE)), "an environment file validates");
  t.ok(svc(parse(SERVICE_FILE)), "a service file validates");
  t.notOk(svc(parse(SERVICE_FILE.replace('version: "1"', "version: 1"))), "an unquoted version does not");
  t.notOk(env(parse(`${ENV_FILE}extra: 1\n`)), "unknown keys do not");
});
