import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MIB = 1024 * 1024;
/** Length of each short line, including its `\n`. */
export const SHORT_LINE_BYTES = 80;

/**
 * Writes about `totalMib` MiB of 80-byte printable ASCII lines to `short-lines.txt` in `dir`.
 * Returns the path, the exact byte count and the line count.
 */
export function writeShortLines(dir, totalMib) {
  const linesPerBlock = Math.floor(MIB / SHORT_LINE_BYTES);
  const block = Buffer.alloc(linesPerBlock * SHORT_LINE_BYTES);
  for (let line = 0; line < linesPerBlock; line += 1) {
    const offset = line * SHORT_LINE_BYTES;
    for (let column = 0; column < SHORT_LINE_BYTES - 1; column += 1) {
      block[offset + column] = 32 + ((line * 7 + column * 13) % 95);
    }
    block[offset + SHORT_LINE_BYTES - 1] = 0x0a;
  }
  const path = join(dir, 'short-lines.txt');
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < totalMib; written += 1) {
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes: block.length * totalMib, lines: linesPerBlock * totalMib };
}

/**
 * Writes one line of `totalMib` MiB of printable ASCII, with its only `\n` at the end, to
 * `long-line.txt` in `dir`. Returns the path, the byte count and the line count.
 */
export function writeLongLine(dir, totalMib) {
  const block = Buffer.alloc(MIB);
  for (let index = 0; index < block.length; index += 1) {
    block[index] = 33 + ((index * 31) % 94);
  }
  const path = join(dir, 'long-line.txt');
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < totalMib; written += 1) {
      writeSync(fd, block);
    }
    writeSync(fd, '\n');
  } finally {
    closeSync(fd);
  }
  return { path, bytes: totalMib * MIB + 1, lines: 1 };
}
