import type { DeploymentRow } from '../deployment-row.js';
import type { DeploymentTable } from '../deployment-table.js';

/** A `put` call whose completion the test controls. */
export interface PendingPut {
  readonly id: string;
  readonly row: DeploymentRow;
  /** Stores the row, then resolves the put. */
  complete(): void;
  /** Rejects the put without storing the row. */
  fail(error: unknown): void;
}

/** Options of `MemoryDeploymentTable`. */
export interface MemoryDeploymentTableOptions {
  /**
   * `immediate` stores each row synchronously. `manual` keeps each put pending until the test
   * calls `complete()` or `fail()` on it, so puts can complete in any order.
   */
  mode?: 'immediate' | 'manual';
}

/**
 * In-memory `DeploymentTable` for tests. A row is stored when its put completes, so when puts
 * complete out of order the table keeps whichever completed last, like a store without
 * write ordering.
 */
export class MemoryDeploymentTable implements DeploymentTable {
  readonly rows = new Map<string, DeploymentRow>();
  /** Every row passed to `put`, in call order. */
  readonly puts: DeploymentRow[] = [];
  readonly pending: PendingPut[] = [];
  maxConcurrentPuts = 0;

  readonly #mode: 'immediate' | 'manual';
  #failures: unknown[] = [];

  constructor(options: MemoryDeploymentTableOptions = {}) {
    this.#mode = options.mode ?? 'immediate';
  }

  /** Makes the next put throw `error` without storing its row. */
  failNextPut(error: unknown): void {
    this.#failures.push(error);
  }

  get(id: string): DeploymentRow | undefined {
    return this.rows.get(id);
  }

  put(id: string, row: DeploymentRow): Promise<void> | void {
    this.puts.push(row);
    if (this.#failures.length > 0) {
      const [failure, ...rest] = this.#failures;
      this.#failures = rest;
      throw failure;
    }
    if (this.#mode === 'immediate') {
      this.rows.set(id, row);
      return;
    }

    return new Promise<void>((resolve, reject) => {
      const pendingPut: PendingPut = {
        id,
        row,
        complete: () => {
          this.#remove(pendingPut);
          this.rows.set(id, row);
          resolve();
        },
        fail: (error) => {
          this.#remove(pendingPut);
          reject(error);
        },
      };
      this.pending.push(pendingPut);
      this.maxConcurrentPuts = Math.max(this.maxConcurrentPuts, this.pending.length);
    });
  }

  /** Returns the stored row or throws, for assertions on rows that must exist. */
  stored(id: string): DeploymentRow {
    const row = this.rows.get(id);
    if (row === undefined) {
      throw new Error(`no row stored under ${id}`);
    }
    return row;
  }

  #remove(pendingPut: PendingPut): void {
    const index = this.pending.indexOf(pendingPut);
    if (index !== -1) {
      this.pending.splice(index, 1);
    }
  }
}

/** Resolves after every queued promise callback and microtask has run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
