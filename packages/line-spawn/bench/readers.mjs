import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import nanoSpawn from 'nano-spawn';
import { x } from 'tinyexec';
import { spawnLines } from '../dist/index.js';

/**
 * Ways to read a child's stdout. Each `read` returns the number of units named by `counts`: lines,
 * or bytes for the raw reader, which does no line splitting.
 */
export const READERS = [
  {
    id: 'raw',
    name: 'raw child_process (no splitting)',
    counts: 'bytes',
    async read(command, args) {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let bytes = 0;
      child.stdout.on('data', (chunk) => {
        bytes += chunk.length;
      });
      child.stderr.resume();
      await once(child, 'close');
      return bytes;
    },
  },
  {
    // Decoding to strings with no splitting bounds what any reader that hands out strings can reach.
    id: 'decode',
    name: 'raw + StringDecoder (no splitting)',
    counts: 'bytes',
    async read(command, args) {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const decoder = new StringDecoder('utf8');
      let bytes = 0;
      child.stdout.on('data', (chunk) => {
        decoder.write(chunk);
        bytes += chunk.length;
      });
      child.stderr.resume();
      await once(child, 'close');
      return bytes;
    },
  },
  {
    // Does only what every reader that hands out one string per line must do: decode, find each
    // `\n`, slice the line and call a function. It has no `\r` handling, length limit or timers.
    id: 'minimal',
    name: 'hand-written minimal splitter',
    counts: 'lines',
    async read(command, args) {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const decoder = new StringDecoder('utf8');
      let pending = '';
      let lines = 0;
      const onLine = () => {
        lines += 1;
      };
      child.stdout.on('data', (chunk) => {
        const text = decoder.write(chunk);
        let start = 0;
        let lineFeed = text.indexOf('\n');
        if (lineFeed !== -1 && pending !== '') {
          onLine(pending + text.slice(0, lineFeed));
          pending = '';
          start = lineFeed + 1;
          lineFeed = text.indexOf('\n', start);
        }
        while (lineFeed !== -1) {
          onLine(text.slice(start, lineFeed));
          start = lineFeed + 1;
          lineFeed = text.indexOf('\n', start);
        }
        pending += text.slice(start);
      });
      child.stderr.resume();
      await once(child, 'close');
      pending += decoder.end();
      if (pending !== '') {
        onLine(pending);
      }
      return lines;
    },
  },
  {
    id: 'line-spawn',
    name: 'line-spawn',
    counts: 'lines',
    async read(command, args) {
      let lines = 0;
      await spawnLines(command, args, {
        maxLineLength: Number.POSITIVE_INFINITY,
        onLine: () => {
          lines += 1;
        },
      });
      return lines;
    },
  },
  {
    id: 'line-spawn-default',
    name: 'line-spawn, default maxLineLength (truncates)',
    counts: 'lines',
    async read(command, args) {
      let lines = 0;
      await spawnLines(command, args, {
        onLine: () => {
          lines += 1;
        },
      });
      return lines;
    },
  },
  {
    id: 'readline',
    name: 'readline',
    counts: 'lines',
    async read(command, args) {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const reader = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
      let lines = 0;
      reader.on('line', () => {
        lines += 1;
      });
      child.stderr.resume();
      await once(child, 'close');
      return lines;
    },
  },
  {
    id: 'execa',
    name: 'execa (iteration)',
    counts: 'lines',
    async read(command, args) {
      let lines = 0;
      for await (const _line of execa(command, args, { buffer: false })) {
        lines += 1;
      }
      return lines;
    },
  },
  {
    id: 'nano-spawn',
    name: 'nano-spawn (iteration)',
    counts: 'lines',
    async read(command, args) {
      let lines = 0;
      for await (const _line of nanoSpawn(command, args)) {
        lines += 1;
      }
      return lines;
    },
  },
  {
    id: 'tinyexec',
    name: 'tinyexec (iteration)',
    counts: 'lines',
    async read(command, args) {
      let lines = 0;
      for await (const _line of x(command, args)) {
        lines += 1;
      }
      return lines;
    },
  },
];
