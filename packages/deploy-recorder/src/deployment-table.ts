import type { DeploymentRow } from './deployment-row.js';

/**
 * The part of a Harper table that the recorder uses. A Harper table resource satisfies it
 * (`Table.get(id)` and `Table.put(id, record)`), and tests can pass an in-memory object.
 * Both methods may return a value or a promise, and a thrown or rejected call counts as a failure.
 */
export interface DeploymentTable {
  get(id: string): Promise<DeploymentRow | undefined | null> | DeploymentRow | undefined | null;
  /** Replaces the whole record stored under `id`. */
  put(id: string, row: DeploymentRow): Promise<void> | void;
}
