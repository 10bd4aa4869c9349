import { describe, expect, it } from 'vitest';
import { spawnLines } from './spawn-lines.js';
import { NO_HANG_MS, NODE, nodeScript, PAUSE_MS, runScript } from './test-child.js';

describe('spawnLines line splitting', () => {
  it.each(['keep', 'newline'] as const)('drops \\r of a split \\r\\n pair (%s)', async (policy) => {
    const run = await runScript(
      `process.stdout.write('a\\r');
      await sleep(${PAUSE_MS});
      process.stdout.write('\\nb\\r\\n');`,
      { carriageReturn: policy },
    );
    expect(run.stdout).toEqual(['a', 'b']);
  });

  it('joins a four-byte character split across chunks', async () => {
    const run = await runScript(
      `const bytes = Buffer.from('\\u{1F600}', 'utf8');
      process.stdout.write(bytes.subarray(0, 2));
      await sleep(${PAUSE_MS});
      process.stdout.write(Buffer.concat([bytes.subarray(2), Buffer.from('\\n')]));`,
    );
    expect(run.stdout).toEqual(['\u{1F600}']);
  });

  it('replaces invalid UTF-8 with U+FFFD', async () => {
    const run = await runScript(
      `process.stdout.write(Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xe2, 0x82]));`,
    );
    expect(run.stdout).toEqual(['a\uFFFDb', '\uFFFD']);
  });

  it('flushes a final line without newline', async () => {
    const run = await runScript(`process.stdout.write('x\\ny');`);
    expect(run.stdout).toEqual(['x', 'y']);
  });

  it('keeps empty lines', async () => {
    const run = await runScript(`process.stdout.write('a\\n\\n\\nb\\n\\n');`);
    expect(run.stdout).toEqual(['a', '', '', 'b', '']);
  });

  it('keeps a lone \\r under the keep policy', async () => {
    const run = await runScript(`process.stdout.write('10%\\r20%\\rdone\\n');`);
    expect(run.stdout).toEqual(['10%\r20%\rdone']);
  });

  it('splits on a lone \\r under the newline policy', async () => {
    const run = await runScript(
      `process.stdout.write('10%\\r');
      await sleep(${PAUSE_MS});
      process.stdout.write('20%\\r');
      await sleep(${PAUSE_MS});
      process.stdout.write('done\\n');`,
      { carriageReturn: 'newline' },
    );
    expect(run.stdout).toEqual(['10%', '20%', 'done']);
  });

  it('never glues stdout and stderr lines', async () => {
    const run = await runScript(
      `process.stdout.write('out-start');
      await sleep(${PAUSE_MS});
      process.stderr.write('err line\\n');
      await sleep(${PAUSE_MS});
      process.stdout.write('-end\\n');
      await sleep(${PAUSE_MS});
      process.stderr.write('err tail');`,
    );
    expect(run.lines).toEqual([
      ['stderr', 'err line'],
      ['stdout', 'out-start-end'],
      ['stderr', 'err tail'],
    ]);
  });

  it('truncates long lines with a marker', async () => {
    const lines: string[] = [];
    const result = await spawnLines(
      NODE,
      nodeScript(
        `process.stdout.write('a'.repeat(30));
        await sleep(${PAUSE_MS});
        process.stdout.write('b'.repeat(30) + '\\r\\nshort\\n' + 'c'.repeat(25) + '\\n');`,
      ),
      {
        timeoutMs: NO_HANG_MS,
        maxLineLength: 20,
        onLine: (_stream, line) => lines.push(line),
      },
    );
    expect(lines).toEqual([
      `${'a'.repeat(20)}… [truncated 40 chars]`,
      'short',
      `${'c'.repeat(20)}… [truncated 5 chars]`,
    ]);
    expect(result.truncatedLines).toBe(2);
    expect(result.lineCount.stdout).toBe(3);
  });

  it('counts lines without onLine', async () => {
    const result = await spawnLines(
      NODE,
      nodeScript(`process.stdout.write('1\\n2\\n3'); process.stderr.write('e\\n');`),
      { timeoutMs: NO_HANG_MS },
    );
    expect(result.lineCount).toEqual({ stdout: 3, stderr: 1 });
    expect(result.truncatedLines).toBe(0);
  });
});
