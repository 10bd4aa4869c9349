/** Splits decoded text into NDJSON lines, keeping an incomplete last line until more arrives. */
export class NdjsonLineSplitter {
  readonly #maxLineLength: number;
  #pending = '';

  /** @param maxLineLength Maximum length of one line in UTF-16 code units. */
  constructor(maxLineLength: number) {
    this.#maxLineLength = maxLineLength;
  }

  /** Text of the incomplete line received so far. */
  get pending(): string {
    return this.#pending;
  }

  /**
   * Adds text and returns the complete, non-blank lines without their line breaks, or null
   * when the incomplete line has grown past the maximum length.
   */
  push(text: string): string[] | null {
    this.#pending += text;
    const lines: string[] = [];
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      const line = this.#pending.slice(0, newline).trim();
      this.#pending = this.#pending.slice(newline + 1);
      if (line !== '') lines.push(line);
      newline = this.#pending.indexOf('\n');
    }
    if (this.#pending.length > this.#maxLineLength) return null;
    return lines;
  }

  /** Returns the last line when the text ended without a line break, else null. */
  flush(): string | null {
    const line = this.#pending.trim();
    this.#pending = '';
    return line === '' ? null : line;
  }
}
