import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import puppeteer from "puppeteer-core";
import { IMAGE_DIGEST, NOW, runCli, statusFixture, tmp } from "./ops-helpers";

/** The system Chromium (Debian's `chromium`; .ci/run installs it), or PROTONKIT_CHROMIUM. */
function chromium(): string | undefined {
  if (process.env.PROTONKIT_CHROMIUM) return process.env.PROTONKIT_CHROMIUM;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

t.test("the status page is one static file: no external assets, deterministic", async (t) => {
  const repo = await statusFixture(t);
  const out = path.join(tmp(t), "site", "index.html");
  const res = await runCli(["platform", "page", "--repo", repo, "--now", NOW, "--out", out]);
  t.equal(res.code, 0, res.err);
  const html = fs.readFileSync(out, "utf8");
  t.notMatch(html, /<script|<link|<img|<iframe|@import|src=|href=/i, "no script, no link, no external asset");
  t.same(html.match(/url\([^)]*\)/g), ["url(#arrow)", "url(#arrow)"].slice(0, (html.match(/url\(/g) ?? []).length), "the only url() is the SVG's own arrow marker");
  t.match(html, /^<!DOCTYPE html>/);
  await runCli(["platform", "page", "--repo", repo, "--now", NOW, "--out", `${out}.again`]);
  t.equal(fs.readFileSync(`${out}.again`, "utf8"), html, "same status, same bytes");
});

t.test("the status page in a real headless browser", async (t) => {
  const executablePath = chromium();
  if (!executablePath) {
    t.fail("chromium is not installed: apt-get install -y --no-install-recommends chromium (as .ci/run does), or set PROTONKIT_CHROMIUM");
    return;
  }
  const repo = await statusFixture(t);
  const out = path.join(tmp(t), "index.html");
  t.equal((await runCli(["platform", "page", "--repo", repo, "--now", NOW, "--out", out])).code, 0);
  const browser = await puppeteer.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(`file://${out}`, { waitUntil: "load" });
  t.same(requests, [`file://${out}`], "the page loads nothing but itself");
  t.same(errors, []);

  // Plain JavaScript (a string): the test transpiler's helpers do not exist in the page.
  const seen = (await page.evaluate(`(() => {
    const all = (sel) => Array.from(document.querySelectorAll(sel));
    const rows = all("#resources tbody tr").map((r) => [r.getAttribute("data-dir"), r.getAttribute("data-health")]);
    const attention = all("#attention tbody tr").map((r) => r.getAttribute("data-dir"));
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const b = el.getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height };
    };
    const nodes = all("#wiring g.node").map((g) => [g.getAttribute("data-dir"), g.getAttribute("data-health")]);
    const inside = (inner, outer) => {
      const a = box(inner);
      const b = box(outer);
      return !!a && !!b && a.w > 0 && a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
    };
    const importEdge = document.querySelector('#wiring path.import-edge[data-from="prod/orders-web"][data-to="prod/billing-api"]');
    const failed = document.querySelector('#wiring g.node[data-dir="prod/orders-web"] rect');
    const summary = document.querySelector("#summary");
    const latest = document.querySelector('#resources tr[data-dir="test"] td:nth-child(5)');
    const drift = document.querySelector('#resources tr[data-dir="prod"] td:nth-child(8)');
    const artifactNode = document.querySelector('#wiring g.node[data-dir="prod/orders-web"]');
    return {
      rows,
      attention,
      nodes,
      svg: box("#wiring"),
      ordersInProd: inside('#wiring g.node[data-dir="prod/orders-web"] rect', '#wiring g.environment[data-dir="prod"] rect'),
      alarmsInProd: inside('#wiring g.node[data-dir="prod/components/alarms"] rect', '#wiring g.environment[data-dir="prod"] rect'),
      testInTest: inside('#wiring g.node[data-dir="test/orders-web-test"] rect', '#wiring g.environment[data-dir="test"] rect'),
      pipelineEdges: all('#wiring path.pipeline-edge[data-from="orders/pipeline"]').length,
      importEdge: importEdge ? importEdge.getTotalLength() : 0,
      failedStroke: failed ? failed.getAttribute("stroke") : null,
      summary: summary ? summary.textContent : "",
      latestCell: latest ? latest.textContent : "",
      driftCell: drift ? drift.textContent : "",
      artifact: artifactNode ? artifactNode.getAttribute("data-artifact") : null,
    };
  })()`)) as {
    rows: string[][];
    attention: string[];
    nodes: string[][];
    svg: { w: number; h: number } | null;
    ordersInProd: boolean;
    alarmsInProd: boolean;
    testInTest: boolean;
    pipelineEdges: number;
    importEdge: number;
    failedStroke: string | null;
    summary: string;
    latestCell: string;
    driftCell: string;
    artifact: string | null;
  };
  t.same(seen.rows[0], ["prod/orders-web", "failed"], "failures first");
  t.same(seen.attention, ["prod/orders-web", "prod", "prod/billing-api"], "needs attention: the failure, the drift and the deployment in progress");
  t.equal(seen.rows.length, 8);
  t.ok(seen.svg && seen.svg.w > 300 && seen.svg.h > 150, "the wiring is drawn");
  t.same(
    seen.nodes.map((n) => n[0]).sort(),
    ["orders/pipeline", "prod/billing-api", "prod/components/alarms", "prod/legacy-api", "prod/orders-web", "test/orders-web-test"],
    "every instance, component and pipeline is a node",
  );
  t.ok(seen.ordersInProd, "an instance is drawn inside its environment");
  t.ok(seen.alarmsInProd, "a component is drawn inside its environment");
  t.ok(seen.testInTest);
  t.equal(seen.pipelineEdges, 2, "the pipeline is wired to both instances of its service");
  t.ok(seen.importEdge > 10, "orders/web consumes billing/api's endpoints: an arrow");
  t.equal(seen.failedStroke, "#c62828", "a failure is red");
  t.match(seen.summary, /1 failed.*1 in progress/);
  t.match(seen.latestCell, /1\.1 \(major 2\.0 available\)/, "version against the latest");
  t.match(seen.driftCell, /^drifted 1h #12, since 2026-11-30T09:00:00\.000Z$/, "drift where status is shown");
  t.equal(seen.artifact, IMAGE_DIGEST, "the deployed image on the instance's node");
  const shot = await page.screenshot({ fullPage: true });
  t.ok(shot.length > 10000, "a screenshot renders");
  if (process.env.PROTONKIT_PAGE_SCREENSHOT) fs.writeFileSync(process.env.PROTONKIT_PAGE_SCREENSHOT, shot);
});
