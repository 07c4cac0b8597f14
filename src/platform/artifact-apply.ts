/**
 * Deploying an artifact record in the push run that brought it to the main branch. The
 * delivery pipeline pushes `platform/artifacts/<service>/<instance>.yaml` straight to main; the
 * apply job re-renders that instance's directory from main's desired state, the catalog and
 * the records, and the reviewed-plan gate accepts the fresh render only when it differs from
 * the committed (reviewed) render in the artifact input alone, and the record explains it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sortKeys } from "../json";
import { splitZ, tryGit } from "../provision/git";
import { isPlainObject } from "../support/yaml";
import { ARTIFACTS_DIR, readArtifacts, withArtifact, type ArtifactRecord } from "./artifacts";

/** The instance inputs an artifact record may set (see `artifactInputs`). */
export const ARTIFACT_INPUTS: readonly string[] = ["image", "image_uri", "code_s3_bucket", "code_s3_key"];

const TFVARS = "proton.auto.tfvars.json";
const METADATA = ".proton/deployment-metadata.json";
const RECORD = new RegExp(`^${ARTIFACTS_DIR}/([^/]+)/([^/]+)\\.yaml$`);

/** The service and instance of an artifact record's path, else undefined. */
export function recordOf(file: string): { service: string; instance: string } | undefined {
  const m = RECORD.exec(file);
  return m ? { service: m[1], instance: m[2] } : undefined;
}

/** The instance an apply renders, as the deployment metadata names it. */
export interface ArtifactTarget {
  readonly kind: string;
  readonly service: string;
  /** Instance name. */
  readonly name: string;
}

/** What {@link artifactOnlyDifference} compares. */
export interface ArtifactDifferenceInput {
  /** The instance. */
  readonly target: ArtifactTarget;
  /** Files of the directory as committed (path relative to the directory → text). */
  readonly committed: ReadonlyMap<string, string>;
  /** Files of the fresh render. */
  readonly fresh: ReadonlyMap<string, string>;
  /** The instance's record at the commit applied, if any. */
  readonly record: ArtifactRecord | undefined;
  /** The record's last change is at or after the committed render's last change. */
  readonly recordIsNewer: boolean;
}

/** The verdict: accepted with a note, or refused with the reason. */
export type ArtifactVerdict = { readonly ok: true; readonly note: string } | { readonly ok: false; readonly reason: string };

function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isPlainObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Accepts the fresh render of an instance directory only when, against the committed render,
 * every file is identical except `proton.auto.tfvars.json`, whose only change is the artifact
 * input (`image`, `image_uri`, `code_s3_*` of `service_instance.inputs`) set to exactly what
 * the instance's record says, and `.proton/deployment-metadata.json`, whose only change is the
 * deployment id (derived from the content). Pure.
 */
export function artifactOnlyDifference(input: ArtifactDifferenceInput): ArtifactVerdict {
  const { target, committed, fresh, record } = input;
  const refuse = (why: string): ArtifactVerdict => ({ ok: false, reason: `the fresh render differs from the committed one ${why}` });
  if (target.kind !== "service-instance") return refuse(`and ${target.kind} ${target.name} takes no artifact record`);
  if (!record || record.service !== target.service || record.instance !== target.name) {
    return refuse(`and there is no artifact record of instance ${target.name} of service ${target.service} (${ARTIFACTS_DIR}/${target.service}/${target.name}.yaml)`);
  }
  if (!input.recordIsNewer) return refuse(`and ${record.file} did not change after the committed render, so it does not explain the difference`);
  const paths = [...new Set([...committed.keys(), ...fresh.keys()])].sort();
  for (const p of paths) {
    const a = committed.get(p);
    const b = fresh.get(p);
    if (a === b) continue;
    if (a === undefined || b === undefined) return refuse(`in ${p} (${a === undefined ? "added" : "removed"})`);
    if (p !== TFVARS && p !== METADATA) return refuse(`in ${p}`);
  }
  const metaA = parseObject(committed.get(METADATA));
  const metaB = parseObject(fresh.get(METADATA));
  if (!metaA || !metaB || canonical({ ...metaA, deploymentId: "" }) !== canonical({ ...metaB, deploymentId: "" })) return refuse(`in ${METADATA} beyond the deployment id`);
  const varsA = parseObject(committed.get(TFVARS));
  const varsB = parseObject(fresh.get(TFVARS));
  const instA = varsA && isPlainObject(varsA.service_instance) ? varsA.service_instance : undefined;
  const instB = varsB && isPlainObject(varsB.service_instance) ? varsB.service_instance : undefined;
  const inA = instA && isPlainObject(instA.inputs) ? instA.inputs : undefined;
  const inB = instB && isPlainObject(instB.inputs) ? instB.inputs : undefined;
  if (!varsA || !varsB || !instA || !instB || !inA || !inB) return refuse(`in ${TFVARS}, which has no service_instance.inputs`);
  if (canonical({ ...varsA, service_instance: { ...instA, inputs: {} } }) !== canonical({ ...varsB, service_instance: { ...instB, inputs: {} } })) {
    return refuse(`in ${TFVARS} outside service_instance.inputs`);
  }
  // The inputs must be the committed ones with the record over them, as the render sets it.
  const names = ARTIFACT_INPUTS.filter((n) => n in inA || n in inB);
  const expected = withArtifact(names, inA, record);
  if (canonical(expected) !== canonical(inB)) return refuse(`in service_instance.inputs beyond the artifact of ${record.file} (${record.artifact})`);
  if (canonical(inA) === canonical(inB)) return refuse(`in ${TFVARS}, but not in the artifact input`);
  return { ok: true, note: `the fresh render differs from the committed one only in the artifact input, set by ${record.file} to ${record.artifact}` };
}

/** Files of `dir` at `commit`, by path relative to `dir`. */
export function filesAt(repo: string, commit: string, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of splitZ(tryGit(repo, ["ls-tree", "-r", "-z", "--name-only", commit, "--", `${dir}/`]).stdout)) {
    out.set(f.slice(dir.length + 1), tryGit(repo, ["show", `${commit}:${f}`]).stdout);
  }
  return out;
}

/**
 * Files of `dir` in the working tree: the tracked ones and every untracked one (ignored ones
 * too, so that nothing unreviewed hides behind a `.gitignore`).
 */
export function filesInWorkTree(repo: string, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const listed = [
    ...splitZ(tryGit(repo, ["ls-files", "-z", "--", `${dir}/`]).stdout),
    ...splitZ(tryGit(repo, ["ls-files", "-z", "--others", "--", `${dir}/`]).stdout),
  ];
  for (const f of listed) {
    const abs = path.join(repo, f);
    if (fs.existsSync(abs)) out.set(f.slice(dir.length + 1), fs.readFileSync(abs, "utf8"));
  }
  return out;
}

/** True when the working tree's `dir` differs from `head`'s (the apply job rendered it). */
export function renderedInWorkTree(repo: string, dir: string): boolean {
  const changed = tryGit(repo, ["status", "--porcelain", "--ignored", "--untracked-files=all", "--", `${dir}/`]).stdout.trim();
  return changed !== "";
}

/**
 * Checks the working tree's render of `dir` against `head`'s: {@link artifactOnlyDifference}
 * with the instance's record at `head` and whether the record changed after the directory.
 */
export function checkArtifactRender(repo: string, head: string, dir: string, target: ArtifactTarget): ArtifactVerdict & { readonly recordCommit?: string } {
  const { records } = readArtifactsAt(repo, head, target.service);
  const record = records.get(target.name);
  let recordIsNewer = false;
  let recordCommit: string | undefined;
  if (record) {
    recordCommit = tryGit(repo, ["log", "--first-parent", "-1", "--format=%H", head, "--", record.file]).stdout.trim();
    const dirCommit = tryGit(repo, ["log", "--first-parent", "-1", "--format=%H", head, "--", `${dir}/`]).stdout.trim();
    recordIsNewer = recordCommit !== "" && (dirCommit === "" || tryGit(repo, ["merge-base", "--is-ancestor", dirCommit, recordCommit]).code === 0);
  }
  const verdict = artifactOnlyDifference({ target, committed: filesAt(repo, head, dir), fresh: filesInWorkTree(repo, dir), record, recordIsNewer });
  return verdict.ok && recordCommit ? { ok: true, note: `${verdict.note} (commit ${recordCommit.slice(0, 12)})`, recordCommit } : verdict;
}

/** The records of `service` as committed at `head` (never the working tree's). */
function readArtifactsAt(repo: string, head: string, service: string): ReturnType<typeof readArtifacts> {
  const scratch = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "protonkit-artifacts-"));
  try {
    const dir = path.join(scratch, ARTIFACTS_DIR, service);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of filesAt(repo, head, `${ARTIFACTS_DIR}/${service}`)) {
      if (!name.includes("/")) fs.writeFileSync(path.join(dir, name), text);
    }
    return readArtifacts(scratch, service);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
