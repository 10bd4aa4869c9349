import { InvalidDeploymentIdError, PayloadBlobMissingError, RowNotFoundError } from './errors.js';
import { isPayloadBlob, type PayloadBlob } from './payload-blob.js';
import { sleep } from './sleep.js';
import { validateNonNegativeDuration, validatePositiveDuration } from './validate-duration.js';

/** First delay between two reads of the deployment row, in milliseconds. */
export const DEFAULT_POLL_INTERVAL_MS = 100;

/** Maximum delay between two reads of the deployment row, in milliseconds. */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 2_000;

/** Deployment row fields that this package reads. */
export interface DeploymentRow {
  payload_blob?: unknown;
}

/**
 * Table as Harper exposes it: `get` returns the record, or null or undefined while it is
 * absent, synchronously or as a promise.
 */
export interface DeploymentTable<Row extends DeploymentRow> {
  get(id: string): Row | null | undefined | Promise<Row | null | undefined>;
}

export interface WaitForDeploymentPayloadOptions<Row extends DeploymentRow> {
  table: DeploymentTable<Row>;
  /** Primary key of the deployment row, the `_deploymentId` of the replicated operation. */
  deploymentId: string;
  /** Deadline in milliseconds for both the row and its `payload_blob`. 0 reads once. */
  timeoutMs: number;
  /** First delay between reads in milliseconds. Each further delay doubles it. */
  pollIntervalMs?: number;
  /** Maximum delay between reads in milliseconds. */
  maxPollIntervalMs?: number;
  /** Aborts the wait. The promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface DeploymentPayload<Row extends DeploymentRow> {
  row: Row;
  blob: PayloadBlob;
}

/**
 * Waits until the deployment row and its `payload_blob` have replicated to this node, reading
 * the row with exponential backoff. One deadline covers both.
 *
 * @throws InvalidTimeoutError when a duration option is not a valid number of milliseconds.
 * @throws InvalidDeploymentIdError when `deploymentId` is not a non-empty string.
 * @throws RowNotFoundError when the row is still absent at the deadline.
 * @throws PayloadBlobMissingError when the row is present at the deadline but has no blob.
 */
export async function waitForDeploymentPayload<Row extends DeploymentRow>(
  options: WaitForDeploymentPayloadOptions<Row>,
): Promise<DeploymentPayload<Row>> {
  const { table, deploymentId, signal } = options;
  const timeoutMs = validateNonNegativeDuration('timeoutMs', options.timeoutMs);
  const pollIntervalMs = validatePositiveDuration(
    'pollIntervalMs',
    options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
  );
  const maxPollIntervalMs = validatePositiveDuration(
    'maxPollIntervalMs',
    options.maxPollIntervalMs ?? Math.max(DEFAULT_MAX_POLL_INTERVAL_MS, pollIntervalMs),
  );
  if (typeof deploymentId !== 'string' || deploymentId === '') {
    throw new InvalidDeploymentIdError(deploymentId);
  }

  const deadline = Date.now() + timeoutMs;
  let delayMs = pollIntervalMs;

  for (;;) {
    signal?.throwIfAborted();
    const row = await table.get(deploymentId);
    if (row && isPayloadBlob(row.payload_blob)) {
      return { row, blob: row.payload_blob };
    }

    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      if (row) throw new PayloadBlobMissingError(deploymentId, timeoutMs);
      throw new RowNotFoundError(deploymentId, timeoutMs);
    }

    // Sleep no later than the deadline, so the final read happens at the deadline itself.
    await sleep(Math.min(delayMs, remainingMs), signal);
    delayMs = Math.min(delayMs * 2, maxPollIntervalMs);
  }
}
