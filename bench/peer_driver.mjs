// The peer side of bench/compare-peer: runs a benchmark definition on aws-local-stepfunctions
// (its JavaScript API, in this one warm process) and prints one Markdown table row, in the same
// shape as sluice_bench:
//   | id | scenario | median | min | max | unit | runs | median by CPU time | load |
// (CPU time: process.cpuUsage(), which counts every thread of node, JIT and GC included; load:
// the 1-minute load average after the repetitions).
//
//   node peer_driver.mjs PACKAGE_DIR SCENARIO DEFINITION_FILE [RUNS] [MIN_SECONDS] [ITEMS]
//
// SCENARIO: pass-chain (transitions/s; the chain length is read from the definition) or map
// (items/s, over ITEMS items). Each repetition runs executions one after another for at least
// MIN_SECONDS (at least one), like sluice_bench; warm-up executions run first, so the figures
// are for a warm (JIT-compiled) engine.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [packageDir, scenario, definitionFile, runsArg, minSecondsArg, itemsArg] =
  process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const minSeconds = Number(minSecondsArg ?? 0.5);
const items = Number(itemsArg ?? 10000);

const require = createRequire(join(packageDir, 'package.json'));
const { StateMachine } = require('aws-local-stepfunctions');

const definition = JSON.parse(readFileSync(definitionFile, 'utf8'));
const machine = new StateMachine(definition);

function setup() {
  if (scenario === 'pass-chain') {
    const states = Object.keys(definition.States).length;
    return { input: { n: 1 }, perExecution: states, unit: 'transitions/s',
             label: `${states} chained Pass` };
  }
  if (scenario === 'map') {
    const input = { items: Array.from({ length: items }, (_, i) => i) };
    return { input, perExecution: items, unit: 'items/s',
             label: `Map over ${items} items (each a Pass)` };
  }
  throw new Error(`unknown scenario '${scenario}'`);
}

async function runOnce(input) {
  return machine.run(input).result;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// Executions per second of wall time and of CPU time, over at least minSeconds.
async function repetition(input) {
  let n = 0;
  const t0 = performance.now();
  const c0 = cpuSeconds();
  let elapsed = 0;
  do {
    await runOnce(input);
    n += 1;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return { wall: n / elapsed, cpu: n / (cpuSeconds() - c0) };
}

function summarize(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1] };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');

const s = setup();
const check = await runOnce(s.input);
if (scenario === 'map' && (!Array.isArray(check) || check.length !== items)) {
  throw new Error('the Map returned the wrong output');
}
await repetition(s.input);  // warm-up: JIT, inline caches
const wall = [];
const cpu = [];
for (let i = 0; i < runs; i += 1) {
  const rate = await repetition(s.input);
  wall.push(rate.wall * s.perExecution);
  cpu.push(rate.cpu * s.perExecution);
}
const r = summarize(wall);
console.log(`| peer | ${s.label}, aws-local-stepfunctions (warm, in process) | ${fmt(r.median)} | ` +
            `${fmt(r.min)} | ${fmt(r.max)} | ${s.unit} | ${runs} | ${fmt(summarize(cpu).median)} | ` +
            `${loadavg()[0].toFixed(2)} |`);
