import { describe, expect, it } from 'vitest';
import { NdjsonLineSplitter } from './ndjson-line-splitter.js';

describe('NdjsonLineSplitter', () => {
  it('joins a line split across chunks', () => {
    const splitter = new NdjsonLineSplitter(100);

    expect(splitter.push('{"type":"hea')).toEqual([]);
    expect(splitter.push('rtbeat"}\n{"a":1}\n')).toEqual(['{"type":"heartbeat"}', '{"a":1}']);
  });

  it('skips blank lines and carriage returns', () => {
    const splitter = new NdjsonLineSplitter(100);

    expect(splitter.push('\r\n{"a":1}\r\n\n')).toEqual(['{"a":1}']);
  });

  it('returns the last line without a break on flush', () => {
    const splitter = new NdjsonLineSplitter(100);
    splitter.push('{"a":1}');

    expect(splitter.flush()).toBe('{"a":1}');
  });

  it('returns null when a line exceeds the limit', () => {
    const splitter = new NdjsonLineSplitter(4);

    expect(splitter.push('12345')).toBeNull();
  });
});
