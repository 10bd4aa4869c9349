import { describe, expect, it } from 'vitest';
import { formatTruncationMarker, LineSplitter } from './line-splitter.js';
import type { CarriageReturnPolicy, LineStream } from './spawn-lines-options.js';

interface SplitOutcome {
  readonly lines: string[];
  readonly truncatedLines: number;
}

function split(
  chunks: readonly Uint8Array[],
  carriageReturn: CarriageReturnPolicy,
  maxLineLength = Number.POSITIVE_INFINITY,
): SplitOutcome {
  const lines: string[] = [];
  const splitter = new LineSplitter({
    stream: 'stdout',
    carriageReturn,
    maxLineLength,
    onLine: (_stream: LineStream, line: string) => lines.push(line),
  });
  for (const chunk of chunks) {
    splitter.push(chunk);
  }
  splitter.end();
  expect(splitter.lineCount).toBe(lines.length);
  return { lines, truncatedLines: splitter.truncatedLines };
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

// Text with every case that a chunk boundary can cut: `\r\n`, lone `\r`, empty lines, a
// four-byte character, a two-byte character and a line without a final line break.
const MIXED = 'one\r\ntwo\rthree\n\n\u{1F600} four\r\n\r\nfive\u00e9\r\r\nsix';

describe('LineSplitter', () => {
  it('splits mixed text under the keep policy', () => {
    expect(split([encode(MIXED)], 'keep').lines).toEqual([
      'one',
      'two\rthree',
      '',
      '\u{1F600} four',
      '',
      'five\u00e9\r',
      'six',
    ]);
  });

  it('splits mixed text under the newline policy', () => {
    expect(split([encode(MIXED)], 'newline').lines).toEqual([
      'one',
      'two',
      'three',
      '',
      '\u{1F600} four',
      '',
      'five\u00e9',
      '',
      'six',
    ]);
  });

  it.each([
    ['keep', Number.POSITIVE_INFINITY],
    ['newline', Number.POSITIVE_INFINITY],
    ['keep', 4],
    ['newline', 4],
  ] as const)('ignores chunk boundaries (%s, max %d)', (policy, maxLineLength) => {
    const bytes = encode(MIXED);
    const whole = split([bytes], policy, maxLineLength);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const halves = split([bytes.subarray(0, cut), bytes.subarray(cut)], policy, maxLineLength);
      expect(halves, `cut at byte ${cut}`).toEqual(whole);
    }
    const single = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(split(single, policy, maxLineLength)).toEqual(whole);
  });

  it('keeps a lone \\r at the end of the stream', () => {
    expect(split([encode('a\r')], 'keep').lines).toEqual(['a\r']);
  });

  it('drops \\r of a \\r\\n pair many chunks apart', () => {
    const chunks = [encode('a\r'), new Uint8Array(0), encode(''), encode('\nb')];
    expect(split(chunks, 'keep').lines).toEqual(['a', 'b']);
    expect(split(chunks, 'newline').lines).toEqual(['a', 'b']);
  });

  it('delivers a line split over many chunks', () => {
    const chunks = Array.from({ length: 1000 }, () => encode('x'.repeat(100)));
    chunks.push(encode('\n'));
    const outcome = split(chunks, 'keep');
    expect(outcome.lines).toHaveLength(1);
    expect(outcome.lines[0]).toBe('x'.repeat(100_000));
  });

  it('truncates and counts the dropped units', () => {
    const outcome = split([encode('abcdefgh\nabc\nabcd\n')], 'keep', 4);
    expect(outcome.lines).toEqual([`abcd${formatTruncationMarker(4)}`, 'abc', 'abcd']);
    expect(outcome.truncatedLines).toBe(1);
  });

  it('excludes \\r of \\r\\n from the dropped count', () => {
    const outcome = split([encode('abcdef\r'), encode('\nabcd\r\n')], 'keep', 4);
    expect(outcome.lines).toEqual([`abcd${formatTruncationMarker(2)}`, 'abcd']);
    expect(outcome.truncatedLines).toBe(1);
  });

  it('never cuts a surrogate pair', () => {
    const outcome = split([encode('ab\u{1F600}c\n')], 'keep', 3);
    expect(outcome.lines).toEqual([`ab${formatTruncationMarker(3)}`]);
  });

  it('truncates a final line without line break', () => {
    const outcome = split([encode('abc'), encode('defg')], 'newline', 5);
    expect(outcome.lines).toEqual([`abcde${formatTruncationMarker(2)}`]);
    expect(outcome.truncatedLines).toBe(1);
  });

  it('replaces an incomplete sequence at the end', () => {
    expect(split([Uint8Array.of(0x61, 0xf0, 0x9f)], 'keep').lines).toEqual(['a\uFFFD']);
  });

  it('delivers nothing for empty input', () => {
    expect(split([], 'keep').lines).toEqual([]);
    expect(split([encode('')], 'newline').lines).toEqual([]);
  });
});
