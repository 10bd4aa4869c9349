import type { DeploymentEvent } from './deployment-event.js';
import { readDeploymentOutcome } from './deployment-outcome.js';
import { errorText } from './error-text.js';
import { durationBetween, formatDuration, toEpochMs } from './format-units.js';
import { isRecord } from './is-record.js';
import type { Stylize } from './terminal-style.js';

/** Width the install stream name is padded to, so `stdout` and `stderr` lines align. */
const INSTALL_STREAM_WIDTH = 6;

/**
 * Formats one live event as a line of the human view, or returns `undefined` for a final event,
 * which the summary reports. `phaseStarts` maps each phase to the time of its `start` event, so a
 * `done` line can show the phase's duration. This function updates it.
 */
export function formatEventLine(
  event: DeploymentEvent,
  phaseStarts: Map<string, number>,
  stylize: Stylize,
): string | undefined {
  if (readDeploymentOutcome(event) !== undefined) return undefined;
  const data = isRecord(event.data) ? event.data : {};
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);

  switch (event.event) {
    case 'phase':
      return formatPhase(
        text('phase') ?? 'unknown phase',
        text('status'),
        text('message'),
        data.t,
        phaseStarts,
        stylize,
      );
    case 'install':
      return `  ${stylize('dim', (text('stream') ?? 'output').padStart(INSTALL_STREAM_WIDTH))} │ ${text('line') ?? ''}`;
    case 'peer': {
      const node = text('node') ?? 'unknown node';
      const status = text('status') ?? 'unknown';
      const durationMs = durationBetween(data.started_at, data.completed_at);
      const duration = durationMs === undefined ? '' : ` ${formatDuration(durationMs)}`;
      const error = errorText(data.error);
      const origin = data.origin === true || data.origin === node ? ' (origin)' : '';
      const mark = status === 'success' ? stylize('green', '✓') : stylize('red', '✗');
      return `${mark} ${node}${origin} ${status}${duration}${error === undefined ? '' : `: ${error}`}`;
    }
    case 'warning':
      return `${stylize('yellow', '!')} warning: ${text('message') ?? ''}`;
    case 'error':
      return `${stylize('red', '✗')} ${formatErrorLabel(text('phase'), text('code'))}: ${text('message') ?? ''}`;
    case 'truncated':
      return `${stylize('yellow', '…')} the server dropped ${String(data.dropped_events ?? 'some')} events from this log`;
    default:
      return `${stylize('dim', '·')} ${event.event}: ${JSON.stringify(event.data)}`;
  }
}

/** Formats `error in install [E_INSTALL]` from an error event's phase and code. */
export function formatErrorLabel(phase: string | undefined, code: string | undefined): string {
  return `error${phase === undefined ? '' : ` in ${phase}`}${code === undefined ? '' : ` [${code}]`}`;
}

function formatPhase(
  phase: string,
  status: string | undefined,
  message: string | undefined,
  time: unknown,
  phaseStarts: Map<string, number>,
  stylize: Stylize,
): string {
  const timeMs = toEpochMs(time);
  const suffix = message === undefined ? '' : `: ${message}`;
  if (status === 'start') {
    if (timeMs !== undefined) phaseStarts.set(phase, timeMs);
    return `${stylize('cyan', '▸')} ${phase} started${suffix}`;
  }

  const startMs = phaseStarts.get(phase);
  const duration =
    startMs === undefined || timeMs === undefined ? '' : ` ${formatDuration(timeMs - startMs)}`;
  if (status === 'done') return `${stylize('green', '✓')} ${phase} done${duration}${suffix}`;
  if (status === 'error') return `${stylize('red', '✗')} ${phase} error${duration}${suffix}`;
  return `${stylize('dim', '·')} ${phase} ${status ?? 'unknown status'}${suffix}`;
}
