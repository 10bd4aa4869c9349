import { CoalescedWriter } from './coalesced-writer.js';
import type {
  DeploymentEventDataMap,
  EmittableEventName,
  EventLogEntry,
  EventLogEntryOf,
  PeerEventData,
} from './deployment-events.js';
import type {
  DeploymentError,
  DeploymentRow,
  DeploymentStatus,
  PeerResult,
  TerminalDeploymentStatus,
} from './deployment-row.js';
import { isTerminalStatus, statusForPhaseStart } from './deployment-status.js';
import type { DeploymentTable } from './deployment-table.js';
import {
  type DeploymentRecorderError,
  DeploymentWriteError,
  InvalidArgumentError,
  InvalidRecorderStateError,
  InvalidTerminalStatusError,
  SubscriberError,
} from './errors.js';
import { appendEvent, type EventLogLimits, resolveEventLogLimits } from './event-log.js';
import { validateEmittedEvent } from './event-validation.js';
import { normalizePeerResultWithSource } from './peer-result.js';
import { mergePeerResults } from './peer-result-merge.js';
import { type DeploymentRecorderOptions, validateRecorderOptions } from './recorder-options.js';
import { copyRow } from './row-copy.js';
import { type DeploymentRowUpdate, validateRowUpdate } from './row-update.js';

/** Code stored on a failed row when `finish({status: 'failed'})` gets no error. */
export const DEFAULT_FAILURE_CODE = 'DEPLOYMENT_FAILED';

/** Callbacks of a live subscriber, such as an SSE response on the origin node. */
export interface DeploymentSubscriber {
  /** Receives each emitted event synchronously, including events the log later truncates. */
  onEvent?: (entry: EventLogEntry) => void;
  /** Receives a copy of the final row once, after the terminal write completed or failed. */
  onFinish?: (row: DeploymentRow) => void;
}

/** Argument of `DeploymentRecorder.finish`. */
export interface FinishOptions {
  status: TerminalDeploymentStatus;
  /** Failure stored on the row. A `failed` row without one gets a `DEPLOYMENT_FAILED` error. */
  error?: DeploymentError | null;
}

/** Argument of `DeploymentRecorder.fail`. */
export interface FailureDetails {
  message: string;
  code: string;
  /** Phase that failed. Defaults to the row's current phase. */
  phase?: string | null;
}

/**
 * Records one deployment on the origin node: the row's status and phase, a bounded event log,
 * the per-node results and the final outcome.
 *
 * Row writes are coalesced: at most one `table.put` is in flight, and changes made meanwhile go
 * into one follow-up write. Every write stores the whole row as it is when the write starts.
 * After `finish()` the row is frozen, every later write stores the terminal row, and
 * `emit`, `update` and `recordPeers` do nothing.
 */
export class DeploymentRecorder {
  readonly #table: DeploymentTable;
  readonly #now: () => number;
  readonly #limits: EventLogLimits;
  readonly #onError: ((error: DeploymentRecorderError) => void) | undefined;
  readonly #writer: CoalescedWriter;
  readonly #subscribers = new Set<DeploymentSubscriber>();
  readonly #row: DeploymentRow;

  #nextEventId = 1;
  #started = false;
  #sealed = false;
  #finished = false;
  #finishNotified = false;
  #finalWrite: Promise<DeploymentRow> | undefined;

  /** Throws `InvalidArgumentError` for invalid options. Nothing is written until `start()`. */
  constructor(options: DeploymentRecorderOptions) {
    validateRecorderOptions(options);
    this.#limits = resolveEventLogLimits({
      maxEvents: options.maxEvents,
      headEvents: options.headEvents,
    });
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#row = {
      deployment_id: options.deploymentId,
      project: options.project,
      package_identifier: options.packageIdentifier ?? null,
      payload_blob: null,
      payload_hash: null,
      payload_size: null,
      status: 'pending',
      phase: null,
      event_log: [],
      peer_results: [],
      origin_node: options.originNode,
      user: options.user,
      restart_mode: options.restartMode,
      started_at: this.#now(),
      completed_at: null,
      error: null,
    };
    this.#writer = new CoalescedWriter({
      write: (row) => this.#put(row),
      snapshot: () => copyRow(this.#row),
      onBackgroundError: (error) => this.#report(error),
    });
  }

  get deploymentId(): string {
    return this.#row.deployment_id;
  }

  /** Copy of the current row. */
  get row(): DeploymentRow {
    return copyRow(this.#row);
  }

  get status(): DeploymentStatus {
    return this.#row.status;
  }

  /** Whether `finish()` or `fail()` has been called. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Whether `seal()` has been called. */
  get sealed(): boolean {
    return this.#sealed;
  }

  /**
   * Applies `fields` and writes the row, then allows background writes unless the recorder is
   * sealed. Rejects with `InvalidRecorderStateError` on a second call or after `finish()`, and
   * with `DeploymentWriteError` when the write fails.
   */
  async start(fields: DeploymentRowUpdate = {}): Promise<void> {
    if (this.#finished) {
      throw new InvalidRecorderStateError('start()', 'finished');
    }
    if (this.#started) {
      throw new InvalidRecorderStateError('start()', 'started');
    }
    Object.assign(this.#row, validateRowUpdate(fields));
    this.#started = true;

    const initialWrite = this.#writer.writeNow();
    if (!this.#sealed) {
      this.#writer.enableBackgroundWrites();
    }
    await initialWrite;
  }

  /**
   * Appends an event to the log, applies a `phase` event to the row, notifies subscribers
   * synchronously and queues a write. A `phase` event sets `phase`, and with status `start` it
   * also moves `status` (see `statusForPhaseStart`). Returns the entry, or undefined after
   * `finish()`, when the event is dropped. Throws `InvalidArgumentError` for an unknown event
   * name or data that is not an object.
   */
  emit<E extends EmittableEventName>(
    event: E,
    data: DeploymentEventDataMap[E],
  ): EventLogEntryOf<E> | undefined {
    if (this.#finished) {
      return undefined;
    }
    validateEmittedEvent(event, data);

    const entry = Object.freeze({
      id: this.#nextEventId,
      t: this.#now(),
      event,
      data: Object.freeze({ ...data }),
    }) as EventLogEntryOf<E>;
    this.#nextEventId += 1;
    this.#row.event_log = appendEvent(this.#row.event_log, entry as EventLogEntry, this.#limits);
    this.#applyPhase(entry as EventLogEntry);
    this.#writer.markChanged();

    this.#notifyEvent(entry as EventLogEntry);
    return entry;
  }

  /**
   * Registers live callbacks and returns a function that removes them. After the final
   * notification `onFinish` is called immediately, synchronously.
   */
  subscribe(subscriber: DeploymentSubscriber): () => void {
    if (typeof subscriber !== 'object' || subscriber === null) {
      throw new InvalidArgumentError(
        'subscriber',
        subscriber,
        'an object with onEvent or onFinish',
      );
    }
    if (this.#finishNotified) {
      this.#callOnFinish(subscriber);
      return () => {};
    }
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /**
   * Changes row fields and queues a write. Does nothing after `finish()`. Throws
   * `InvalidArgumentError` for a field that is not updatable or an invalid value.
   */
  update(fields: DeploymentRowUpdate): void {
    if (this.#finished) {
      return;
    }
    Object.assign(this.#row, validateRowUpdate(fields));
    this.#writer.markChanged();
  }

  /**
   * Stops background writes for the rest of the deployment. Call it before replication starts,
   * so that no late write can replace a newer row on a peer. `checkpoint()` and `finish()` still
   * write.
   */
  seal(): void {
    this.#sealed = true;
    this.#writer.disableBackgroundWrites();
  }

  /**
   * Waits for the write in flight, then writes the current row once, even when sealed. Does
   * nothing after `finish()`. Rejects with `DeploymentWriteError` when the write fails.
   */
  async checkpoint(): Promise<void> {
    if (this.#finished) {
      return;
    }
    await this.#writer.writeNow();
  }

  /**
   * Normalises each result with `normalizePeerResult` and upserts it by node. Nodes keep the
   * order in which they were first recorded. Emits one `peer` event per added or changed
   * result and queues a write only when something changed, so recording the same results
   * again does nothing. Results without a node name get `unknown-<position>`, counted from 1.
   * Does nothing after `finish()`. Returns a copy of all recorded results.
   */
  recordPeers(results: Iterable<unknown>): PeerResult[] {
    if (results === null || typeof results !== 'object' || !(Symbol.iterator in results)) {
      throw new InvalidArgumentError('results', results, 'an array of peer results');
    }
    if (this.#finished) {
      return this.row.peer_results;
    }

    const normalized = Array.from(results, (value, index) =>
      normalizePeerResultWithSource(value, {
        now: this.#now,
        fallbackNode: `unknown-${index + 1}`,
      }),
    );
    const merge = mergePeerResults(this.#row.peer_results, normalized);
    if (merge.changed.length > 0) {
      this.#row.peer_results = merge.results;
      for (const result of merge.changed) {
        this.emit('peer', toPeerEventData(result));
      }
    }
    return this.row.peer_results;
  }

  /**
   * Makes the row terminal and writes it once, after every write in flight has completed.
   * Sets `status`, `completed_at` and `error`, then notifies subscribers with the final row.
   * A later call returns the same row without writing, whatever its argument. When the
   * terminal write fails, this rejects with `DeploymentWriteError` and the next call retries
   * the write. Rejects with `InvalidTerminalStatusError` for a status that is not terminal.
   */
  async finish(options: FinishOptions): Promise<DeploymentRow> {
    if (!this.#finished) {
      this.#makeTerminal(options);
    }
    this.#finalWrite ??= this.#writeFinalRow();
    const finalRow = await this.#finalWrite;
    return copyRow(finalRow);
  }

  /**
   * Emits an `error` event, then finishes the deployment as `failed` with that error. After
   * `finish()` it emits nothing and returns the final row.
   */
  async fail(details: FailureDetails): Promise<DeploymentRow> {
    if (this.#finished) {
      return this.finish({ status: 'failed' });
    }
    const error = toDeploymentError('details', details, this.#row.phase);
    this.emit('error', { ...error });
    return this.finish({ status: 'failed', error });
  }

  #makeTerminal(options: FinishOptions): void {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options', options, 'an object with a terminal status');
    }
    if (!isTerminalStatus(options.status)) {
      throw new InvalidTerminalStatusError(options.status);
    }
    const error =
      options.error === undefined || options.error === null
        ? defaultError(options.status, this.#row.phase)
        : toDeploymentError('options.error', options.error, this.#row.phase);

    this.#finished = true;
    this.#writer.disableBackgroundWrites();
    this.#row.status = options.status;
    this.#row.completed_at = this.#now();
    this.#row.error = error;
  }

  async #writeFinalRow(): Promise<DeploymentRow> {
    try {
      await this.#writer.writeNow();
    } catch (error) {
      this.#finalWrite = undefined;
      throw error;
    } finally {
      this.#notifyFinish();
    }
    return copyRow(this.#row);
  }

  #applyPhase(entry: EventLogEntry): void {
    if (entry.event !== 'phase') {
      return;
    }
    this.#row.phase = entry.data.phase;
    if (entry.data.status !== 'start') {
      return;
    }
    const status = statusForPhaseStart(entry.data.phase);
    if (status !== undefined) {
      this.#row.status = status;
    }
  }

  async #put(row: DeploymentRow): Promise<void> {
    try {
      await this.#table.put(row.deployment_id, row);
    } catch (error) {
      throw new DeploymentWriteError(row.deployment_id, error);
    }
  }

  #notifyEvent(entry: EventLogEntry): void {
    for (const subscriber of [...this.#subscribers]) {
      if (subscriber.onEvent === undefined) {
        continue;
      }
      try {
        subscriber.onEvent(entry);
      } catch (error) {
        this.#report(new SubscriberError('onEvent', entry, error));
      }
    }
  }

  #notifyFinish(): void {
    if (this.#finishNotified) {
      return;
    }
    this.#finishNotified = true;
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const subscriber of subscribers) {
      this.#callOnFinish(subscriber);
    }
  }

  #callOnFinish(subscriber: DeploymentSubscriber): void {
    if (subscriber.onFinish === undefined) {
      return;
    }
    const row = copyRow(this.#row);
    try {
      subscriber.onFinish(row);
    } catch (error) {
      this.#report(new SubscriberError('onFinish', row, error));
    }
  }

  #report(error: unknown): void {
    if (this.#onError === undefined) {
      return;
    }
    try {
      this.#onError(error as DeploymentRecorderError);
    } catch {
      // onError is the last place a failure can go, so an error it throws is dropped.
    }
  }
}

function defaultError(
  status: TerminalDeploymentStatus,
  phase: string | null,
): DeploymentError | null {
  if (status !== 'failed') {
    return null;
  }
  return { message: 'the deployment failed', code: DEFAULT_FAILURE_CODE, phase };
}

function toDeploymentError(
  argument: string,
  value: FailureDetails,
  currentPhase: string | null,
): DeploymentError {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(argument, value, 'an object with message and code');
  }
  if (typeof value.message !== 'string' || value.message === '') {
    throw new InvalidArgumentError(`${argument}.message`, value.message, 'a non-empty string');
  }
  if (typeof value.code !== 'string' || value.code === '') {
    throw new InvalidArgumentError(`${argument}.code`, value.code, 'a non-empty string');
  }
  const phase = value.phase === undefined ? currentPhase : value.phase;
  if (phase !== null && typeof phase !== 'string') {
    throw new InvalidArgumentError(`${argument}.phase`, phase, 'a string or null');
  }
  return { message: value.message, code: value.code, phase };
}

function toPeerEventData(result: PeerResult): PeerEventData {
  const data: PeerEventData = {
    node: result.node,
    status: result.status,
    started_at: result.started_at,
    completed_at: result.completed_at,
  };
  if (result.error !== null) {
    data.error = { ...result.error };
  }
  return data;
}
