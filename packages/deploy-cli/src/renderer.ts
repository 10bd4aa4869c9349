import { formatClusterSummary, formatResultLine } from './cluster-summary.js';
import type { PayloadSummary, UploadSummary } from './deploy.js';
import type { DeploymentEvent } from './deployment-event.js';
import type { DeploymentOutcome } from './deployment-outcome.js';
import type { ReconnectNotice } from './follow-deployment.js';
import { formatErrorLabel, formatEventLine } from './format-event-line.js';
import { formatBytes, formatDuration } from './format-units.js';
import { isRecord } from './is-record.js';
import { formatJsonEventLine } from './json-event-line.js';
import { createStylize, shouldUseColor } from './terminal-style.js';
import type { UploadProgress } from './upload-payload.js';
import { createUploadProgressBar, type UploadProgressBar } from './upload-progress-bar.js';

/** An output stream. `isTTY` turns on colours and the progress bar. */
export interface RendererStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/** Options of createRenderer. */
export interface RendererOptions {
  /** Receives the result line, or in JSON mode one JSON object per event. */
  stdout: RendererStream;
  /** Receives the live view, progress, notices and errors. */
  stderr: RendererStream;
  /** Write each event as a JSON line to stdout, and no human view. */
  json?: boolean;
  /** Environment consulted for `NO_COLOR`. Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reattach details of a deployment that the client detached from. */
export interface DetachNotice {
  deploymentId: string | undefined;
  /** The target URL without credentials. */
  target: string;
}

/** Turns the steps of a deploy or watch into terminal output. */
export interface Renderer {
  payloadReady(summary: PayloadSummary): void;
  uploadProgress(progress: UploadProgress): void;
  uploaded(summary: UploadSummary): void;
  event(event: DeploymentEvent): void;
  reconnecting(notice: ReconnectNotice): void;
  /** Writes the cluster view to stderr and the result line to stdout. */
  outcome(outcome: DeploymentOutcome): void;
  /** Tells how to reattach after Ctrl-C during the event stream. */
  detached(notice: DetachNotice): void;
  /** Tells that Ctrl-C during the upload stopped the deployment. */
  uploadAborted(): void;
  /** Writes an error message to stderr, in every mode. */
  error(message: string): void;
  /** Removes the progress bar if one is showing. */
  close(): void;
}

/**
 * Creates a renderer. The human view goes to stderr and only the result line to stdout, so
 * `harper-deploy deploy > result.txt` captures just the result. In JSON mode stdout receives one
 * JSON object per event and nothing else. Colours are used on a TTY unless `NO_COLOR` is set.
 */
export function createRenderer(options: RendererOptions): Renderer {
  const env = options.env ?? process.env;
  const json = options.json === true;
  const { stdout, stderr } = options;
  const styleOut = createStylize(shouldUseColor(stdout, env));
  const styleErr = createStylize(shouldUseColor(stderr, env));
  const phaseStarts = new Map<string, number>();
  const warnings: string[] = [];
  const errors: string[] = [];
  let progressBar: UploadProgressBar | undefined;

  const writeErr = (line: string) => {
    stderr.write(`${line}\n`);
  };
  const writeHuman = (line: string) => {
    if (!json) writeErr(line);
  };
  const stopProgress = () => {
    progressBar?.stop();
    progressBar = undefined;
  };

  return {
    payloadReady(summary) {
      const entries = summary.entries === undefined ? '' : `${summary.entries} entries, `;
      writeHuman(
        `${styleErr('dim', '·')} ${summary.project}: ${entries}${formatBytes(summary.bytes)}`,
      );
    },

    uploadProgress(progress) {
      if (json || stderr.isTTY !== true) return;
      progressBar ??= createUploadProgressBar(stderr);
      progressBar.update(progress.sentBytes, progress.totalBytes);
    },

    uploaded(summary) {
      stopProgress();
      const id = summary.deploymentId === undefined ? '' : ` (deployment ${summary.deploymentId})`;
      writeHuman(
        `${styleErr('green', '✓')} uploaded ${formatBytes(summary.bytes)} in ${formatDuration(summary.durationMs)}${id}`,
      );
    },

    event(event) {
      if (json) {
        stdout.write(`${formatJsonEventLine(event)}\n`);
        return;
      }
      const data = isRecord(event.data) ? event.data : {};
      if (event.event === 'warning' && typeof data.message === 'string') {
        warnings.push(data.message);
      }
      if (event.event === 'error' && !isRecord(data.result) && typeof data.message === 'string') {
        const phase = typeof data.phase === 'string' ? data.phase : undefined;
        const code = typeof data.code === 'string' ? data.code : undefined;
        errors.push(`${formatErrorLabel(phase, code)}: ${data.message}`);
      }
      const line = formatEventLine(event, phaseStarts, styleErr);
      if (line !== undefined) writeErr(line);
    },

    reconnecting(notice) {
      const after = notice.lastEventId === undefined ? '' : ` after event ${notice.lastEventId}`;
      writeErr(
        styleErr(
          'dim',
          `↻ reconnecting to deployment ${notice.deploymentId}${after} (attempt ${notice.attempt}): ${notice.reason}`,
        ),
      );
    },

    outcome(outcome) {
      stopProgress();
      if (json) return;
      for (const line of formatClusterSummary(outcome, { warnings, errors }, styleErr)) {
        writeErr(line);
      }
      stdout.write(`${formatResultLine(outcome, styleOut)}\n`);
    },

    detached(notice) {
      stopProgress();
      if (notice.deploymentId === undefined) {
        writeErr(
          `detached before the server sent a deployment id; the deployment goes on. Find it with: harper-deploy list --target ${notice.target}`,
        );
        return;
      }
      writeErr(
        `detached; deployment ${notice.deploymentId} goes on. Reattach with: harper-deploy watch ${notice.deploymentId} --target ${notice.target}`,
      );
    },

    uploadAborted() {
      stopProgress();
      writeErr('upload aborted before the whole payload was sent');
    },

    error(message) {
      stopProgress();
      writeErr(`${styleErr('red', 'error:')} ${message}`);
    },

    close() {
      stopProgress();
    },
  };
}
