/**
 * The status page: the platform's status as ONE static HTML file (no server, no script, no
 * external asset), fit for GitHub Pages. Failures first, what is deployed where with each
 * version against the latest, and an inline SVG of the wiring: environments, the instances
 * and components in them, the pipelines of their services, and who consumes whose endpoints.
 * Deterministic: the same status gives the same bytes.
 */
import type { Health, ImportEdge, PlatformStatus, ResourceStatus } from "./status";
import { formatAge, formatDrift, shortArtifact } from "./status";

/** Escapes text for HTML and SVG. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const HEALTH_LABEL: Readonly<Record<Health, string>> = {
  failed: "failed",
  drifted: "drifted",
  "in-progress": "in progress",
  pending: "pending",
  "never-deployed": "never deployed",
  removed: "removed from desired state",
  outdated: "behind latest",
  ok: "up to date",
};

const COLOURS: Readonly<Record<Health, { fill: string; stroke: string }>> = {
  failed: { fill: "#fde2e1", stroke: "#c62828" },
  drifted: { fill: "#fbe9e7", stroke: "#d84315" },
  "in-progress": { fill: "#fff4d6", stroke: "#b7791f" },
  pending: { fill: "#f5f5f5", stroke: "#9e9e9e" },
  "never-deployed": { fill: "#eeeeee", stroke: "#757575" },
  removed: { fill: "#f3e5f5", stroke: "#7b1fa2" },
  outdated: { fill: "#e3f2fd", stroke: "#1565c0" },
  ok: { fill: "#e6f4ea", stroke: "#2e7d32" },
};

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555;margin:0 0 16px}.meta code{font-size:12px}
.summary{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}
.pill{border-radius:12px;padding:2px 10px;border:1px solid;font-size:13px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e0e0e0;vertical-align:top}
th{background:#fafafa;font-weight:600}td code{font-size:12px}
tr.failed td:first-child{border-left:4px solid #c62828}tr.drifted td:first-child{border-left:4px solid #d84315}tr.in-progress td:first-child{border-left:4px solid #b7791f}
tr.never-deployed td:first-child{border-left:4px solid #757575}tr.removed td:first-child{border-left:4px solid #7b1fa2}
tr.outdated td:first-child{border-left:4px solid #1565c0}tr.ok td:first-child{border-left:4px solid #2e7d32}
.behind{color:#1565c0;font-weight:600}.drift-drifted{color:#d84315;font-weight:600}.drift-error{color:#b7791f}.error{white-space:pre-wrap;font:12px ui-monospace,monospace;color:#c62828;margin:4px 0 0}
.none{color:#757575}.source{overflow-wrap:anywhere}
svg{max-width:100%;height:auto;border:1px solid #e0e0e0;background:#fcfcfc}
`;

function versionCell(r: ResourceStatus): string {
  if (!r.requested) return `<span class="none">not in desired state</span>`;
  const resolved = r.requested === r.version ? esc(r.version) : `${esc(r.version || "?")} <span class="none">(requested ${esc(r.requested)})</span>`;
  return resolved;
}

function latestCell(r: ResourceStatus): string {
  if (!r.latest) return `<span class="none">-</span>`;
  const behind = r.version && r.version !== r.latest;
  const major = r.newestMajor ? ` <span class="none">(major ${esc(r.newestMajor)} available)</span>` : "";
  return `${behind ? `<span class="behind">${esc(r.latest)}</span>` : esc(r.latest)}${major}`;
}

function deploymentCell(r: ResourceStatus): string {
  const d = r.deployment;
  if (!d) return `<span class="none">${r.waitingFor ? `pending: waits for ${esc(r.waitingFor)}` : "never deployed"}</span>`;
  const error = d.error ? `<div class="error">${esc(d.error.split("\n").slice(-6).join("\n"))}</div>` : "";
  return `${esc(d.status)}${d.version ? ` of ${esc(d.version)}` : ""}, ${esc(formatAge(d.ageSeconds))} ago${d.commit ? ` at <code>${esc(d.commit.slice(0, 12))}</code>` : ""}${error}`;
}

function driftCell(r: ResourceStatus): string {
  const d = r.drift;
  if (!d) return `<span class="none">not checked</span>`;
  const since = d.status === "drifted" && d.since ? `, since ${esc(d.since)}` : "";
  const stale = d.stale ? ` <span class="none">(checked before the last deployment)</span>` : "";
  return `<span class="drift-${d.status}" title="checked ${esc(d.checkedAt)}">${esc(formatDrift({ ...d, stale: false }))}</span>${since}${stale}`;
}

function artifactCell(r: ResourceStatus): string {
  const a = r.artifact;
  if (!a) return `<span class="none">-</span>`;
  const commit = a.source ? /\/commit\/([0-9a-f]{12})[0-9a-f]*$/.exec(a.source) : null;
  const source = a.source ? `<div class="none source" title="${esc(a.source)}">${commit ? `from commit <code>${commit[1]}</code>` : esc(a.source)}</div>` : "";
  return `<code title="${esc(a.artifact)}">${esc(shortArtifact(a.artifact))}</code>${source}`;
}

function row(r: ResourceStatus): string {
  return `<tr class="${r.health}" data-dir="${esc(r.dir)}" data-health="${r.health}"><td><code>${esc(r.dir)}</code></td><td>${esc(r.kind)}</td><td>${esc(r.template || "-")}</td><td>${versionCell(r)}</td><td>${latestCell(r)}</td><td>${deploymentCell(r)}</td><td>${esc(HEALTH_LABEL[r.health])}</td><td>${driftCell(r)}</td><td>${artifactCell(r)}</td></tr>`;
}

function table(rows: readonly ResourceStatus[], id: string): string {
  return `<table id="${id}"><thead><tr><th>Resource</th><th>Kind</th><th>Template</th><th>Version</th><th>Latest</th><th>Last deployment</th><th>State</th><th>Drift</th><th>Artifact</th></tr></thead><tbody>
${rows.map(row).join("\n")}
</tbody></table>`;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const COLUMN = 280;
const PAD = 20;
const INSTANCE_H = 44;
const COMPONENT_H = 26;
const PIPELINE_H = 40;

function label(r: ResourceStatus): string {
  if (r.kind === "service-instance") return r.service ? `${r.service}/${r.name}` : r.dir.slice(r.dir.indexOf("/") + 1);
  if (r.kind === "pipeline") return `${r.name} pipeline`;
  return r.name;
}

function rect(r: ResourceStatus, b: Box, sub: string): string {
  const c = COLOURS[r.health];
  const tip = `${r.dir}: ${HEALTH_LABEL[r.health]}${r.artifact ? `\nruns ${r.artifact.artifact}` : ""}`;
  return `<g class="node" data-dir="${esc(r.dir)}" data-kind="${r.kind}" data-health="${r.health}"${r.artifact ? ` data-artifact="${esc(r.artifact.artifact)}"` : ""}><title>${esc(tip)}</title><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="${r.health === "failed" ? 2.5 : 1.5}"/><text x="${b.x + 8}" y="${b.y + 17}" font-size="13" font-weight="600">${esc(label(r))}</text>${sub ? `<text x="${b.x + 8}" y="${b.y + 33}" font-size="11" fill="#444">${esc(sub)}</text>` : ""}</g>`;
}

function sub(r: ResourceStatus): string {
  const v = r.version || r.deployment?.version || "";
  return `${r.template}${v ? ` ${v}` : ""}${r.latest && r.version && r.version !== r.latest ? ` (latest ${r.latest})` : ""}`;
}

/** The wiring as an inline SVG. */
export function wiringSvg(status: PlatformStatus): string {
  const res = status.resources;
  const envNames = [...new Set(res.filter((r) => r.kind !== "pipeline").map((r) => r.environment))].filter((e) => e !== "").sort();
  const pipelines = res.filter((r) => r.kind === "pipeline").sort((a, b) => (a.dir < b.dir ? -1 : 1));
  const boxes = new Map<string, Box>();
  const parts: string[] = [];
  const top = PAD + (pipelines.length ? PIPELINE_H + 50 : 0);
  let height = top;
  envNames.forEach((env, i) => {
    const x = PAD + i * COLUMN;
    const envRes = res.find((r) => r.kind === "environment" && r.dir === env);
    const instances = res.filter((r) => r.kind === "service-instance" && r.environment === env).sort((a, b) => (a.dir < b.dir ? -1 : 1));
    const components = res.filter((r) => r.kind === "component" && r.environment === env).sort((a, b) => (a.dir < b.dir ? -1 : 1));
    let y = top + 50;
    const inner: string[] = [];
    for (const inst of instances) {
      const b = { x: x + 14, y, w: COLUMN - 56, h: INSTANCE_H };
      boxes.set(inst.dir, b);
      inner.push(rect(inst, b, sub(inst)));
      y += INSTANCE_H + 12;
    }
    for (const comp of components) {
      const b = { x: x + 30, y, w: COLUMN - 72, h: COMPONENT_H };
      boxes.set(comp.dir, b);
      inner.push(rect(comp, b, ""));
      y += COMPONENT_H + 10;
    }
    const envBox = { x, y: top, w: COLUMN - 28, h: Math.max(y - top, 60) + 6 };
    boxes.set(env, envBox);
    const c = COLOURS[envRes?.health ?? "never-deployed"];
    parts.push(
      `<g class="environment" data-dir="${esc(env)}" data-health="${envRes?.health ?? "unknown"}"><title>${esc(`environment ${env}${envRes ? `: ${HEALTH_LABEL[envRes.health]}` : " (not in desired state)"}`)}</title><rect x="${envBox.x}" y="${envBox.y}" width="${envBox.w}" height="${envBox.h}" rx="10" fill="#ffffff" stroke="${c.stroke}" stroke-width="${envRes?.health === "failed" ? 3 : 2}" stroke-dasharray="${envRes ? "" : "6 4"}"/><rect x="${envBox.x}" y="${envBox.y}" width="${envBox.w}" height="36" rx="10" fill="${c.fill}"/><text x="${envBox.x + 10}" y="${envBox.y + 23}" font-size="15" font-weight="700">${esc(env)}</text><text x="${envBox.x + envBox.w - 10}" y="${envBox.y + 23}" font-size="11" text-anchor="end" fill="#444">${esc(envRes ? sub(envRes) : "")}</text></g>`,
    );
    parts.push(...inner);
    height = Math.max(height, envBox.y + envBox.h);
  });
  const lines: string[] = [];
  pipelines.forEach((p, i) => {
    const b = { x: PAD + i * (COLUMN - 40), y: PAD, w: COLUMN - 60, h: PIPELINE_H };
    boxes.set(p.dir, b);
    parts.push(rect(p, b, sub(p)));
    for (const inst of res.filter((r) => r.kind === "service-instance" && r.service === p.service)) {
      const t = boxes.get(inst.dir);
      if (!t) continue;
      lines.push(`<path class="pipeline-edge" data-from="${esc(p.dir)}" data-to="${esc(inst.dir)}" d="M${b.x + b.w / 2} ${b.y + b.h} C${b.x + b.w / 2} ${b.y + b.h + 40} ${t.x + t.w / 2} ${t.y - 40} ${t.x + t.w / 2} ${t.y}" fill="none" stroke="#9e9e9e" stroke-width="1.2"/>`);
    }
  });
  const imports = status.imports.filter((e: ImportEdge) => boxes.has(e.from) && boxes.has(e.to));
  for (const e of imports) {
    const f = boxes.get(e.from) as Box;
    const t = boxes.get(e.to) as Box;
    const fy = f.y + f.h / 2;
    const ty = t.y + t.h / 2;
    const fx = f.x + f.w;
    const tx = t.x + t.w;
    const bend = 40 + Math.abs(fy - ty) / 4;
    lines.push(
      `<path class="import-edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="M${fx} ${fy} C${fx + bend} ${fy} ${tx + bend} ${ty} ${tx} ${ty}" fill="none" stroke="#6a1b9a" stroke-width="1.5" stroke-dasharray="5 3" marker-end="url(#arrow)"><title>${esc(`${e.from} consumes ${e.spec}`)}</title></path>`,
    );
  }
  // At least as wide as the legend.
  const width = PAD * 2 + Math.max(envNames.length * COLUMN, pipelines.length * (COLUMN - 40), 920);
  height += PAD + 30;
  const legend = (["failed", "drifted", "in-progress", "never-deployed", "outdated", "ok"] as Health[])
    .map((h, i) => `<rect x="${PAD + i * 118}" y="${height - 22}" width="12" height="12" fill="${COLOURS[h].fill}" stroke="${COLOURS[h].stroke}"/><text x="${PAD + i * 118 + 18}" y="${height - 12}" font-size="11">${esc(HEALTH_LABEL[h])}</text>`)
    .join("");
  const importLegend = `<line x1="${PAD + 720}" y1="${height - 16}" x2="${PAD + 750}" y2="${height - 16}" stroke="#6a1b9a" stroke-dasharray="5 3" stroke-width="1.5"/><text x="${PAD + 756}" y="${height - 12}" font-size="11">consumes endpoints of</text>`;
  return `<svg id="wiring" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Wiring of the platform" font-family="system-ui,sans-serif">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#6a1b9a"/></marker></defs>
${lines.join("\n")}
${parts.join("\n")}
${legend}${importLegend}
</svg>`;
}

/** The whole page. */
export function statusPage(status: PlatformStatus, title = "Platform status"): string {
  const counts = (Object.keys(HEALTH_LABEL) as Health[]).map((h) => [h, status.resources.filter((r) => r.health === h).length] as const).filter(([, n]) => n > 0);
  const attention = status.resources.filter((r) => r.health === "failed" || r.health === "drifted" || r.health === "in-progress");
  const environments = [...new Set(status.resources.map((r) => r.environment))].sort();
  const byEnv = environments
    .map((env) => {
      const rows = status.resources.filter((r) => r.environment === env);
      return `<h3>${env ? `Environment <code>${esc(env)}</code>` : "Pipelines"}</h3>\n${table(rows, `env-${env || "pipelines"}`)}`;
    })
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">As of ${esc(status.now)} · records at <code>${esc(status.records || "(none recorded yet)")}</code> · generated by protonkit platform page</p>
<div class="summary" id="summary">${counts.map(([h, n]) => `<span class="pill" data-health="${h}" style="background:${COLOURS[h].fill};border-color:${COLOURS[h].stroke}">${n} ${esc(HEALTH_LABEL[h])}</span>`).join("")}</div>
<h2>Needs attention</h2>
${attention.length ? table(attention, "attention") : `<p class="none" id="attention">Nothing failed, drifted or in progress.</p>`}
<h2>Wiring</h2>
${wiringSvg(status)}
<h2>All resources</h2>
${table(status.resources, "resources")}
<h2>What is deployed where</h2>
${byEnv}
</body>
</html>
`;
}
