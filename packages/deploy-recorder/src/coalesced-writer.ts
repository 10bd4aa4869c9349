import type { DeploymentRow } from './deployment-row.js';

/** Options of `CoalescedWriter`. */
export interface CoalescedWriterOptions {
  /** Stores a row. A rejection fails that write only. */
  write: (row: DeploymentRow) => Promise<void>;
  /** Returns a copy of the current row. It is called when a write starts, not when it is requested. */
  snapshot: () => DeploymentRow;
  /** Receives the failure of a background write. Explicit writes reject instead. */
  onBackgroundError: (error: unknown) => void;
}

/**
 * Serialises row writes so that at most one write is in flight.
 *
 * Background writes start on a microtask after `markChanged()`, so a synchronous burst of changes
 * costs one write. Changes made while a write is in flight are folded into one follow-up write
 * that starts when it completes. Each write stores the row as it is when the write starts, and
 * writes never overlap, so the row stored last comes from the write that started last.
 */
export class CoalescedWriter {
  readonly #write: CoalescedWriterOptions['write'];
  readonly #snapshot: CoalescedWriterOptions['snapshot'];
  readonly #onBackgroundError: CoalescedWriterOptions['onBackgroundError'];

  #inFlight: Promise<void> | undefined;
  #hasUnwrittenChanges = false;
  #backgroundWritesEnabled = false;
  #backgroundWriteQueued = false;

  constructor(options: CoalescedWriterOptions) {
    this.#write = options.write;
    this.#snapshot = options.snapshot;
    this.#onBackgroundError = options.onBackgroundError;
  }

  /** Records that the row changed and queues a background write if those are enabled. */
  markChanged(): void {
    this.#hasUnwrittenChanges = true;
    this.#queueBackgroundWrite();
  }

  /** Allows background writes and queues one for changes made while they were disabled. */
  enableBackgroundWrites(): void {
    this.#backgroundWritesEnabled = true;
    this.#queueBackgroundWrite();
  }

  /** Stops background writes from starting. A write already in flight still completes. */
  disableBackgroundWrites(): void {
    this.#backgroundWritesEnabled = false;
  }

  /**
   * Waits for the write in flight, then writes the current row once, even while background
   * writes are disabled. Rejects with the write's error.
   */
  async writeNow(): Promise<void> {
    // The condition is checked again after every await, and nothing awaits between the last
    // check and #startWrite, so no other write can start in between. Moving this loop into a
    // separate async helper would break that, because awaiting the helper yields even when
    // nothing is in flight.
    while (this.#inFlight !== undefined) {
      await this.#inFlight;
    }
    await this.#startWrite();
  }

  #queueBackgroundWrite(): void {
    if (
      !this.#backgroundWritesEnabled ||
      !this.#hasUnwrittenChanges ||
      this.#backgroundWriteQueued
    ) {
      return;
    }
    this.#backgroundWriteQueued = true;
    queueMicrotask(() => {
      this.#backgroundWriteQueued = false;
      const ready =
        this.#backgroundWritesEnabled && this.#hasUnwrittenChanges && this.#inFlight === undefined;
      if (ready) {
        this.#startWrite().catch(this.#onBackgroundError);
      }
    });
  }

  #startWrite(): Promise<void> {
    this.#hasUnwrittenChanges = false;
    const write = this.#write(this.#snapshot());
    const inFlight: Promise<void> = write.then(
      () => this.#completeWrite(inFlight),
      () => this.#completeWrite(inFlight),
    );
    this.#inFlight = inFlight;
    return write;
  }

  #completeWrite(write: Promise<void>): void {
    if (this.#inFlight === write) {
      this.#inFlight = undefined;
    }
    this.#queueBackgroundWrite();
  }
}
