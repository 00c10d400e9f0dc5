// bench/zen/route.mjs - the 1,000-rule routing table of bench/route.c,
// as a GoRules JSON Decision Model (tools/gen1000.py --out-jdm), evaluated
// by @gorules/zen-engine on the same inputs, for comparison.
//
//   node bench/zen/route.mjs ZEN_DIR JDM INPUTS [EVALS] [ROUNDS]
//
// ZEN_DIR: where npm installed @gorules/zen-engine (build/zen; bench/route.sh
// installs it there, never as a dependency of the library).
// JDM: the decision model. INPUTS: NDJSON written by bench/route.c, one line
// per event: the table's inputs (channel, category, region, urgency) and
// what our engine decided (rule, lead).
//
// evaluate() is asynchronous, so it is timed two ways, each best of ROUNDS:
// one call at a time with await, and in batches of many calls in flight
// (Promise.all); the better one is the figure. Every input is also
// evaluated once and zen's rule and lead compared with ours.
// Prints readable lines and one JSON line.

import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [zenDir, jdmPath, inputsPath, evalsArg, roundsArg] = process.argv.slice(2);
if (!zenDir || !jdmPath || !inputsPath) {
  console.error("usage: route.mjs ZEN_DIR JDM INPUTS [EVALS] [ROUNDS]");
  process.exit(2);
}
const evals = Number(evalsArg || 200000);
const rounds = Number(roundsArg || 3);
const BATCH = 1024;

const require = createRequire(path.resolve(zenDir, "package.json"));
const { ZenEngine } = require("@gorules/zen-engine");
const zenVersion = JSON.parse(fs.readFileSync(
  path.join(path.dirname(require.resolve("@gorules/zen-engine")),
            "package.json"), "utf8")).version;

const rows = fs.readFileSync(inputsPath, "utf8").split("\n")
  .filter((l) => l.length > 0).map((l) => JSON.parse(l));
const inputs = rows.map((r) => ({
  channel: r.channel, category: r.category, region: r.region,
  urgency: r.urgency,
}));

const engine = new ZenEngine();
const decision = engine.createDecision(fs.readFileSync(jdmPath));

function outcome(res) {
  const r = res && res.result;
  if (!r || r.rule === undefined || r.rule === null)
    return { rule: null, lead: null };
  return { rule: r.rule, lead: r.lead };
}

// agreement: every input once
let agree = 0;
const diffs = [];
for (let i = 0; i < inputs.length; i++) {
  const z = outcome(await decision.evaluate(inputs[i]));
  if (z.rule === rows[i].rule && z.lead === rows[i].lead) agree++;
  else if (diffs.length < 5)
    diffs.push({ input: inputs[i], ours: { rule: rows[i].rule, lead: rows[i].lead }, zen: z });
}

async function runAwait(n) {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0, j = 0; i < n; i++) {
    const res = await decision.evaluate(inputs[j]);
    if (res.result) sink++;
    if (++j === inputs.length) j = 0;
  }
  return [Number(process.hrtime.bigint() - t0) / 1e9, sink];
}

async function runBatch(n) {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  let j = 0;
  for (let done = 0; done < n;) {
    const k = Math.min(BATCH, n - done);
    const batch = new Array(k);
    for (let b = 0; b < k; b++) {
      batch[b] = decision.evaluate(inputs[j]);
      if (++j === inputs.length) j = 0;
    }
    const out = await Promise.all(batch);
    for (const res of out) if (res.result) sink++;
    done += k;
  }
  return [Number(process.hrtime.bigint() - t0) / 1e9, sink];
}

await runAwait(Math.min(evals, 20000));        // warm up
await runBatch(Math.min(evals, 20000));
let bestAwait = Infinity, bestBatch = Infinity;
for (let r = 0; r < rounds; r++) {
  const [ta] = await runAwait(evals);
  if (ta < bestAwait) bestAwait = ta;
  const [tb] = await runBatch(evals);
  if (tb < bestBatch) bestBatch = tb;
}
const epsAwait = evals / bestAwait, epsBatch = evals / bestBatch;
const best = Math.max(epsAwait, epsBatch);
const mode = epsBatch >= epsAwait ? "batch" : "await";
const fmt = (x) => Math.round(x).toString().padStart(12);

console.log(`bench route (zen-engine ${zenVersion}, node ${process.version}): ` +
  `${inputs.length} events, ${evals} evaluations per round, best of ${rounds}`);
console.log(`  zen, one await at a time     ${fmt(epsAwait)} evals/s`);
console.log(`  zen, ${BATCH} in flight         ${fmt(epsBatch)} evals/s`);
console.log(`  agreement with ours: ${agree} of ${inputs.length} events ` +
  `(same rule and lead)${agree === inputs.length ? "" : "  DIFFERENT"}`);
for (const d of diffs) console.log("  differs: " + JSON.stringify(d));
console.log(JSON.stringify({
  bench: "route-zen", zen_version: zenVersion, events: inputs.length,
  evals, rounds, await_evals_per_s: Math.round(epsAwait),
  batch_evals_per_s: Math.round(epsBatch), evals_per_s: Math.round(best),
  mode, agree, compared: inputs.length,
}));
engine.dispose();
