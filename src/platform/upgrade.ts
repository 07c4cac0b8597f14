/**
 * `protonkit platform upgrade`: edits desired state to newer template versions, keeping the
 * files' comments and layout (the `yaml` package's Document API). A major upgrade first checks
 * every affected spec against the new major's schema and refuses, naming each field that no
 * longer fits, before anything is written.
 */
import * as fs from "node:fs";
import { Scalar, parseDocument } from "yaml";
import type { Document } from "yaml";
import { Problem, ProtonkitError } from "../errors";
import { specTarget } from "../render";
import { checkSpec } from "../spec/spec";
import { closest } from "../support/json-schema";
import { problemAt, problemCount } from "../support/problems";
import type { Catalog, PublishedVersion } from "./catalog";
import type { DesiredState, EnvironmentState, ServiceState, VersionRequest } from "./model";

/** What to upgrade. Unset filters select everything. */
export interface UpgradeOptions {
  /** Only resources of this template. */
  readonly template?: string;
  /** Only this service (its instances and components). */
  readonly service?: string;
  /** Only this environment and the service instances in it. */
  readonly environment?: string;
  /** Move to this major version; without it, pinned versions move to their major's newest minor. */
  readonly major?: number;
}

/** One edited version field. */
export interface VersionChange {
  /** The desired-state file, as shown in messages. */
  readonly file: string;
  /** Field path, e.g. `version` or `instances.orders-b.version`. */
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

/** The edits of an upgrade: changed fields, and each file's new text. */
export interface UpgradePlan {
  readonly changes: readonly VersionChange[];
  /** Absolute file path to new text. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Sets a version field to `"<text>"`. An existing scalar is edited in place, so its comments
 * (`version: "1.1"   # keep until QA signs off`) stay with it.
 */
function setVersion(doc: Document, at: readonly string[], text: string): void {
  const node = doc.getIn(at, true);
  if (node instanceof Scalar) {
    node.value = text;
    node.type = Scalar.QUOTE_DOUBLE;
    return;
  }
  const s = new Scalar(text);
  s.type = Scalar.QUOTE_DOUBLE;
  doc.setIn(at, s);
}

function instanceEnvironments(svc: ServiceState): { name: string; environment: string; index: number }[] {
  const spec = svc.spec.value as { instances?: unknown } | null;
  const list = spec && Array.isArray(spec.instances) ? (spec.instances as unknown[]) : [];
  return list.map((raw, index) => {
    const r = (raw ?? {}) as { name?: unknown; environment?: unknown };
    return { name: typeof r.name === "string" ? r.name : "", environment: typeof r.environment === "string" ? r.environment : "", index };
  });
}

/**
 * Plans an upgrade of `state` against `catalog`. Throws one {@link ProtonkitError} listing
 * every field that does not fit the new major (nothing is planned then).
 */
export function planUpgrade(state: DesiredState, catalog: Catalog, options: UpgradeOptions): UpgradePlan {
  const problems: Problem[] = [];
  const changes: VersionChange[] = [];
  const docs = new Map<string, Document>();
  const edited = new Set<string>();
  const docOf = (file: string): Document => {
    edited.add(file);
    let doc = docs.get(file);
    if (!doc) {
      doc = parseDocument(fs.readFileSync(file, "utf8"));
      docs.set(file, doc);
    }
    return doc;
  };

  /** The version to move to, or undefined when the request already is the target. */
  const target = (template: string, request: VersionRequest): { text: string; version: PublishedVersion } | undefined => {
    const major = options.major ?? request.major;
    if (major < request.major) return undefined;
    const latest = catalog.latest(template, major);
    if (!latest) {
      if (options.major !== undefined) {
        const majors = catalog.majors(template);
        problems.push(new Problem(`${template} has no published major ${major}: published are ${majors.length ? majors.join(", ") : "none"}`, { field: "--major", fix: `pass a published major of ${template}${majors.length ? ` (${majors.join(", ")})` : ""}, or limit the upgrade with --template, --service or --environment` }));
      }
      return undefined;
    }
    const text = request.minor === undefined ? String(major) : `${major}.${latest.minor}`;
    return text === request.text ? undefined : { text, version: latest };
  };
  unknownFilters(state, catalog, options);
  const wanted = (template: string): boolean => options.template === undefined || options.template === template;

  for (const env of state.environments) {
    if (options.service !== undefined || (options.environment !== undefined && options.environment !== env.name) || !wanted(env.template)) continue;
    upgradeEnvironment(env);
  }
  for (const svc of state.services) {
    if ((options.service !== undefined && options.service !== svc.name) || !wanted(svc.template)) continue;
    upgradeService(svc);
  }

  function upgradeEnvironment(env: EnvironmentState): void {
    const to = target(env.template, env.version);
    if (!to) return;
    if (to.version.major !== env.version.major) {
      const checked = checkSpec(env.spec, specTarget(catalog.bundle(to.version)));
      problems.push(...prefixed(checked.problems, `${env.template}:${to.version.major}`));
      // Services running here must accept the new environment major.
      for (const svc of state.services) {
        for (const inst of instanceEnvironments(svc).filter((i) => i.environment === env.name)) {
          const own = svc.instanceVersions[inst.name] ?? svc.version;
          const r = catalog.resolve(svc.template, own);
          if (!r.version) continue;
          const compatible = catalog.bundle(r.version).compatibleEnvironments.map((c) => `${c.name}:${c.major}`);
          if (!compatible.includes(`${env.template}:${to.version.major}`)) {
            problems.push(
              problemAt(svc.source, ["spec", "instances", inst.index, "environment"], `instance ${inst.name} runs ${svc.template}:${r.version.major}.${r.version.minor}, which is not compatible with ${env.template}:${to.version.major}`, `upgrade ${svc.name} to a version compatible with ${env.template}:${to.version.major} first`),
            );
          }
        }
      }
    }
    setVersion(docOf(env.source.file), ["version"], to.text);
    changes.push({ file: env.source.displayFile, field: "version", from: env.version.text, to: to.text });
  }

  function upgradeService(svc: ServiceState): void {
    const instances = instanceEnvironments(svc);
    const selected = instances.filter((i) => options.environment === undefined || i.environment === options.environment);
    if (selected.length === 0) return;
    const doc = parseDocument(fs.readFileSync(svc.source.file, "utf8"));
    const before = changes.length;
    const whole = selected.length === instances.length;
    const checks = new Map<string, { version: PublishedVersion; indexes: number[]; pipeline: boolean }>();
    const check = (v: PublishedVersion, index: number | "pipeline"): void => {
      const key = `${v.major}.${v.minor}`;
      const entry = checks.get(key) ?? { version: v, indexes: [], pipeline: false };
      if (index === "pipeline") entry.pipeline = true;
      else entry.indexes.push(index);
      checks.set(key, entry);
    };
    const serviceTo = whole ? target(svc.template, svc.version) : undefined;
    if (serviceTo) {
      setVersion(doc, ["version"], serviceTo.text);
      changes.push({ file: svc.source.displayFile, field: "version", from: svc.version.text, to: serviceTo.text });
      if (serviceTo.version.major !== svc.version.major) check(serviceTo.version, "pipeline");
    }
    for (const inst of selected) {
      const own = svc.instanceVersions[inst.name];
      if (own) {
        const to = target(svc.template, own);
        if (!to) continue;
        setVersion(doc, ["instances", inst.name, "version"], to.text);
        changes.push({ file: svc.source.displayFile, field: `instances.${inst.name}.version`, from: own.text, to: to.text });
        if (to.version.major !== own.major) check(to.version, inst.index);
      } else if (serviceTo) {
        if (serviceTo.version.major !== svc.version.major) check(serviceTo.version, inst.index);
      } else if (!whole) {
        const to = target(svc.template, svc.version);
        if (!to) continue;
        setVersion(doc, ["instances", inst.name, "version"], to.text);
        changes.push({ file: svc.source.displayFile, field: `instances.${inst.name}.version`, from: svc.version.text, to: to.text });
        if (to.version.major !== svc.version.major) check(to.version, inst.index);
      }
    }
    if (changes.length > before) {
      docs.set(svc.source.file, doc);
      edited.add(svc.source.file);
    }
    for (const { version, indexes, pipeline } of checks.values()) {
      const bundle = catalog.bundle(version);
      const checked = checkSpec(svc.spec, specTarget(bundle));
      const mine = checked.problems.filter((p) => {
        const m = /^instances\[(\d+)\]/.exec(p.details.field ?? "");
        return m ? indexes.includes(Number(m[1])) : pipeline;
      });
      problems.push(...prefixed(mine, `${svc.template}:${version.major}`));
    }
  }

  if (problems.length > 0) {
    throw new ProtonkitError(problems, `upgrade refused: ${problemCount(problems.length)} that no longer ${problems.length === 1 ? "fits" : "fit"} the new version; nothing was changed`);
  }
  return { changes, files: new Map([...docs].filter(([file]) => edited.has(file)).map(([file, doc]) => [file, doc.toString()])) };
}

/** A filter naming nothing in the desired state is a mistake, not "nothing to upgrade". */
function unknownFilters(state: DesiredState, catalog: Catalog, options: UpgradeOptions): void {
  const problems: Problem[] = [];
  const check = (flag: string, value: string | undefined, known: readonly string[], what: string, where: string): void => {
    if (value === undefined || known.includes(value)) return;
    const hint = closest(value, known);
    problems.push(
      new Problem(`unknown ${what} "${value}": expected one of ${[...known].sort().join(", ") || "(none)"}`, {
        file: where,
        field: flag,
        fix: hint ? `did you mean ${hint}?` : `name a ${what} of ${where}`,
      }),
    );
  };
  check("--service", options.service, state.services.map((s) => s.name), "service", "platform/services/");
  check("--environment", options.environment, state.environments.map((e) => e.name), "environment", "platform/environments/");
  const used = [...new Set([...state.environments.map((e) => e.template), ...state.services.map((s) => s.template)])];
  if (options.template !== undefined && !used.includes(options.template)) {
    const published = Object.keys(catalog.index.templates);
    const hint = closest(options.template, used) ?? (published.includes(options.template) ? undefined : closest(options.template, published));
    problems.push(
      new Problem(
        published.includes(options.template) ? `no environment or service uses template "${options.template}": used are ${used.sort().join(", ") || "(none)"}` : `unknown template "${options.template}": used are ${used.sort().join(", ") || "(none)"}`,
        { file: "platform/", field: "--template", fix: hint ? `did you mean ${hint}?` : "name a template the desired state uses" },
      ),
    );
  }
  if (problems.length > 0) throw new ProtonkitError(problems, `platform upgrade: ${problemCount(problems.length)}; nothing was changed`);
}

function prefixed(problems: readonly Problem[], label: string): Problem[] {
  return problems.map((p) => new Problem(`${p.message} (in ${label})`, { ...p.details, field: p.details.field ? `spec.${p.details.field}` : "spec", fix: p.details.fix ?? `change the spec so it fits ${label}` }));
}

/** Writes an upgrade's files (each to a temporary sibling, then renamed). */
export function writeUpgrade(plan: UpgradePlan): void {
  const staged = [...plan.files].map(([file, text]) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    return [tmp, file] as const;
  });
  for (const [tmp, file] of staged) fs.renameSync(tmp, file);
}
