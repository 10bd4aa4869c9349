import { StringDecoder } from 'node:string_decoder';
import type { CarriageReturnPolicy, LineListener, LineStream } from './spawn-lines-options.js';

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * Number of pending pieces of a long line that are joined into one block. A block of 32 chunks
 * (2 MiB for the 64 KiB chunks that Node.js reads from pipes) goes to V8's large-object space,
 * which the garbage collector does not copy, so a long line is not copied again at every
 * collection. In bench/run.mjs this cut the time for a 64 MiB line by about a third.
 */
const PIECES_PER_BLOCK = 32;

/** Returns the suffix that replaces the `droppedChars` UTF-16 code units cut from a long line. */
export function formatTruncationMarker(droppedChars: number): string {
  return `… [truncated ${droppedChars} chars]`;
}

/** Settings of a {@link LineSplitter}. */
export interface LineSplitterOptions {
  readonly stream: LineStream;
  readonly onLine: LineListener | undefined;
  readonly maxLineLength: number;
  readonly carriageReturn: CarriageReturnPolicy;
}

/**
 * Decodes the UTF-8 bytes of one stream and calls `onLine` for each complete line.
 *
 * The work is linear in the input. The search for the next line break starts where the previous
 * one ended. The pieces of an unfinished line are kept in a list that is never scanned again and
 * is joined a fixed number of times. Invalid UTF-8 becomes U+FFFD.
 */
export class LineSplitter {
  /** Lines delivered so far, including truncated ones. */
  lineCount = 0;
  /** Lines delivered so far that exceeded `maxLineLength`. */
  truncatedLines = 0;

  readonly #decoder = new StringDecoder('utf8');
  readonly #stream: LineStream;
  readonly #onLine: LineListener;
  readonly #maxLineLength: number;
  readonly #splitOnCarriageReturn: boolean;

  #blocks: string[] = [];
  #pieces: string[] = [];
  #pendingLength = 0;
  #droppedChars = 0;
  #pendingEndsWithCarriageReturn = false;
  // Set when text ended in `\r` under the 'newline' policy, because a `\n` that opens the next
  // text completes the same `\r\n` line break and must not produce an empty line.
  #skipLeadingLineFeed = false;

  constructor(options: LineSplitterOptions) {
    this.#stream = options.stream;
    this.#onLine = options.onLine ?? ignoreLine;
    this.#maxLineLength = options.maxLineLength;
    this.#splitOnCarriageReturn = options.carriageReturn === 'newline';
  }

  /** Decodes `chunk` and delivers every line that it completes. */
  push(chunk: Uint8Array): void {
    const text = this.#decoder.write(chunk);
    if (text.length > 0) {
      this.#scan(text);
    }
  }

  /** Flushes the decoder and delivers the final line if it lacks a line break. */
  end(): void {
    const text = this.#decoder.end();
    if (text.length > 0) {
      this.#scan(text);
    }
    if (this.#pendingLength > 0 || this.#droppedChars > 0) {
      // A `\r` at the very end of the stream is not followed by `\n`, so it is a lone one.
      this.#completePending(false);
    }
  }

  #scan(text: string): void {
    if (this.#splitOnCarriageReturn) {
      this.#scanForBothBreaks(text);
    } else {
      this.#scanForLineFeeds(text);
    }
  }

  #scanForLineFeeds(text: string): void {
    let lineFeed = text.indexOf('\n');
    if (lineFeed === -1) {
      this.#appendPending(text, 0, text.length);
      return;
    }
    let start = 0;
    if (this.#pendingLength > 0 || this.#droppedChars > 0) {
      this.#appendPending(text, 0, lineFeed);
      this.#completePending(true);
      start = lineFeed + 1;
      lineFeed = text.indexOf('\n', start);
    }
    // Most lines end inside the chunk that starts them. This loop handles them with locals only,
    // because per-line overhead decides the throughput for short lines.
    const onLine = this.#onLine;
    const stream = this.#stream;
    const maxLineLength = this.#maxLineLength;
    while (lineFeed !== -1) {
      let stop = lineFeed;
      if (stop > start && text.charCodeAt(stop - 1) === CARRIAGE_RETURN) {
        stop -= 1;
      }
      this.lineCount += 1;
      if (stop - start > maxLineLength) {
        this.#deliverTruncated(text, start, stop);
      } else {
        onLine(stream, text.slice(start, stop));
      }
      start = lineFeed + 1;
      lineFeed = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.#appendPending(text, start, text.length);
    }
  }

  #scanForBothBreaks(text: string): void {
    let start = 0;
    if (this.#skipLeadingLineFeed) {
      this.#skipLeadingLineFeed = false;
      if (text.charCodeAt(0) === LINE_FEED) {
        start = 1;
      }
    }
    // Both positions are kept until the scan passes them, so each of the two searches passes
    // over a character at most once.
    let lineFeed = text.indexOf('\n', start);
    let carriageReturn = text.indexOf('\r', start);
    while (lineFeed !== -1 || carriageReturn !== -1) {
      let end: number;
      let next: number;
      if (carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn)) {
        end = lineFeed;
        next = lineFeed + 1;
      } else {
        end = carriageReturn;
        next = carriageReturn + 1;
        if (next === text.length) {
          this.#skipLeadingLineFeed = true;
        } else if (text.charCodeAt(next) === LINE_FEED) {
          next += 1;
        }
      }
      this.#completeLine(text, start, end, false);
      start = next;
      if (lineFeed !== -1 && lineFeed < start) {
        lineFeed = text.indexOf('\n', start);
      }
      if (carriageReturn !== -1 && carriageReturn < start) {
        carriageReturn = text.indexOf('\r', start);
      }
    }
    if (start < text.length) {
      this.#appendPending(text, start, text.length);
    }
  }

  // Delivers the line that ends at `end` in `text`. With `stripCarriageReturn`, a `\r` just before
  // the line break is dropped, even when it arrived in an earlier chunk.
  #completeLine(text: string, start: number, end: number, stripCarriageReturn: boolean): void {
    if (this.#pendingLength > 0 || this.#droppedChars > 0) {
      this.#appendPending(text, start, end);
      this.#completePending(stripCarriageReturn);
      return;
    }
    let stop = end;
    if (stripCarriageReturn && stop > start && text.charCodeAt(stop - 1) === CARRIAGE_RETURN) {
      stop -= 1;
    }
    this.lineCount += 1;
    if (stop - start <= this.#maxLineLength) {
      this.#onLine(this.#stream, text.slice(start, stop));
    } else {
      this.#deliverTruncated(text, start, stop);
    }
  }

  #deliverTruncated(text: string, start: number, end: number): void {
    const keptEnd = findCutIndex(text, start, start + this.#maxLineLength);
    this.truncatedLines += 1;
    this.#onLine(this.#stream, text.slice(start, keptEnd) + formatTruncationMarker(end - keptEnd));
  }

  #appendPending(text: string, start: number, end: number): void {
    if (end === start) {
      return;
    }
    this.#pendingEndsWithCarriageReturn = text.charCodeAt(end - 1) === CARRIAGE_RETURN;
    if (this.#droppedChars > 0) {
      this.#droppedChars += end - start;
      return;
    }
    const room = this.#maxLineLength - this.#pendingLength;
    if (end - start <= room) {
      this.#pushPiece(text.slice(start, end));
      this.#pendingLength += end - start;
      return;
    }
    const keptEnd = findCutIndex(text, start, start + room);
    if (keptEnd > start) {
      this.#pushPiece(text.slice(start, keptEnd));
      this.#pendingLength += keptEnd - start;
    }
    this.#droppedChars = end - keptEnd;
  }

  #pushPiece(piece: string): void {
    this.#pieces.push(piece);
    if (this.#pieces.length === PIECES_PER_BLOCK) {
      this.#blocks.push(this.#pieces.join(''));
      this.#pieces = [];
    }
  }

  #completePending(stripCarriageReturn: boolean): void {
    let line: string;
    if (this.#blocks.length > 0) {
      line = this.#blocks.join('') + this.#pieces.join('');
    } else if (this.#pieces.length === 1) {
      line = this.#pieces[0] as string;
    } else {
      line = this.#pieces.join('');
    }
    let droppedChars = this.#droppedChars;
    if (stripCarriageReturn && this.#pendingEndsWithCarriageReturn) {
      // Once a line is cut, every later character is dropped, so the `\r` is among the dropped.
      if (droppedChars > 0) {
        droppedChars -= 1;
      } else {
        line = line.slice(0, -1);
      }
    }
    this.#blocks = [];
    this.#pieces = [];
    this.#pendingLength = 0;
    this.#droppedChars = 0;
    this.#pendingEndsWithCarriageReturn = false;
    if (droppedChars > 0) {
      this.truncatedLines += 1;
      line += formatTruncationMarker(droppedChars);
    }
    this.lineCount += 1;
    this.#onLine(this.#stream, line);
  }
}

function ignoreLine(): void {}

// Moves a cut that would fall between the two halves of a surrogate pair to before the pair.
function findCutIndex(text: string, start: number, cut: number): number {
  if (cut > start) {
    const last = text.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      return cut - 1;
    }
  }
  return cut;
}
