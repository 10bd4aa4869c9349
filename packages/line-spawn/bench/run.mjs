// Compares line-spawn with raw child_process, readline, execa, nano-spawn and tinyexec on the
// same inputs, in one process, and prints the medians as a Markdown table.
//
// Usage: pnpm --filter line-spawn bench (which builds first and runs node --expose-gc).
// Environment: BENCH_ROUNDS (default 5), BENCH_SHORT_MIB (default 256), BENCH_LONG_MIB
// (default 64), BENCH_SPAWNS (default 200), BENCH_READERS (comma-separated reader ids from
// bench/readers.mjs, all by default). The raw reader always runs as the baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLongLine, writeShortLines } from './inputs.mjs';
import { READERS as ALL_READERS } from './readers.mjs';

const MIB = 1024 * 1024;
const SPAWNS_PER_BATCH = 20;
const rounds = readPositiveInteger('BENCH_ROUNDS', 5);
const shortMib = readPositiveInteger('BENCH_SHORT_MIB', 256);
const longMib = readPositiveInteger('BENCH_LONG_MIB', 64);
const spawns = readPositiveInteger('BENCH_SPAWNS', 200);
const READERS = selectReaders(process.env.BENCH_READERS);

function selectReaders(text) {
  if (text === undefined || text.trim() === '') {
    return ALL_READERS;
  }
  const requested = new Set(text.split(',').map((id) => id.trim()));
  const known = new Set(ALL_READERS.map((reader) => reader.id));
  const unknown = [...requested].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new RangeError(
      `Invalid BENCH_READERS id: ${unknown.join(', ')}. Use ids from this list: ${[...known].join(', ')}.`,
    );
  }
  return ALL_READERS.filter((reader) => reader.id === 'raw' || requested.has(reader.id));
}

function readPositiveInteger(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') {
    return fallback;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Invalid ${name}: ${text}. Expected a positive integer.`);
  }
  return value;
}

// Runs a full garbage collection when node was started with --expose-gc, as the bench script does.
function collectGarbage() {
  globalThis.gc?.();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Runs `reader` on `cat file` and returns the seconds taken, after checking the count it returns.
async function timeRead(reader, input) {
  const started = performance.now();
  const count = await reader.read('cat', [input.path]);
  const seconds = (performance.now() - started) / 1000;
  const expected = reader.counts === 'bytes' ? input.bytes : input.lines;
  if (count !== expected) {
    throw new Error(`${reader.name} counted ${count} ${reader.counts}, expected ${expected}`);
  }
  return seconds;
}

// Returns the milliseconds per run of `true`, averaged over `count` sequential runs.
async function timeSpawns(reader, count) {
  const started = performance.now();
  for (let run = 0; run < count; run += 1) {
    await reader.read('true', []);
  }
  return (performance.now() - started) / count;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'line-spawn-bench-'));
  try {
    const shortInput = writeShortLines(dir, shortMib);
    const longInput = writeLongLine(dir, longMib);
    const samples = new Map(READERS.map((reader) => [reader, { short: [], long: [], spawn: [] }]));
    // Spawn overhead is measured first, while the heap is small. After the large reads, every
    // spawn took several milliseconds longer, whichever reader ran it.
    // The readers take turns in batches, so a busy moment of the machine lands on all of them.
    const batches = Math.ceil(spawns / SPAWNS_PER_BATCH);
    for (let round = 1; round <= rounds; round += 1) {
      for (let batch = 0; batch < batches; batch += 1) {
        for (const reader of READERS) {
          samples.get(reader).spawn.push(await timeSpawns(reader, SPAWNS_PER_BATCH));
        }
      }
      process.stderr.write(`spawn round ${round}/${rounds} done\n`);
    }
    // Every reader runs once per round and input, so a slow phase of the machine affects all of
    // them, and garbage left by one measurement is collected before the next one starts.
    for (let round = 1; round <= rounds; round += 1) {
      for (const reader of READERS) {
        collectGarbage();
        samples.get(reader).short.push(await timeRead(reader, shortInput));
      }
      for (const reader of READERS) {
        collectGarbage();
        samples.get(reader).long.push(await timeRead(reader, longInput));
      }
      process.stderr.write(`throughput round ${round}/${rounds} done\n`);
    }
    printTable(samples, shortInput, longInput);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(samples, shortInput, longInput) {
  const raw = samples.get(READERS[0]);
  const rawShort = shortInput.bytes / MIB / median(raw.short);
  const rawLong = median(raw.long);
  const rawSpawn = median(raw.spawn);
  console.log(
    `Medians of ${rounds} rounds. Short lines: ${shortInput.bytes} bytes in ${shortInput.lines} lines of 80 bytes. ` +
      `Long line: ${longInput.bytes} bytes. Spawns: ${spawns} runs of \`true\` per round, ` +
      `median of the per-run mean over batches of ${SPAWNS_PER_BATCH}.\n`,
  );
  console.log(
    `| reader | 80-byte lines MiB/s | ratio to raw | ${longMib} MiB line s | speed ratio to raw | per spawn ms | spawn ms over raw |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const reader of READERS) {
    const sample = samples.get(reader);
    const shortRate = shortInput.bytes / MIB / median(sample.short);
    const longSeconds = median(sample.long);
    const spawnMs = median(sample.spawn);
    const cells = [
      reader.name,
      shortRate.toFixed(0),
      (shortRate / rawShort).toFixed(2),
      longSeconds.toFixed(3),
      (rawLong / longSeconds).toFixed(2),
      spawnMs.toFixed(2),
      (spawnMs - rawSpawn).toFixed(2),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

await main();
