import { Presets, SingleBar } from 'cli-progress';
import { formatBytes } from './format-units.js';

/** Width of the bar itself, in characters. */
const BAR_WIDTH_CHARS = 30;

/** A terminal progress bar for the upload. */
export interface UploadProgressBar {
  update(sentBytes: number, totalBytes: number): void;
  /** Removes the bar. Safe to call more than once. */
  stop(): void;
}

/** Creates a cli-progress bar on a TTY stream. It appears on the first update. */
export function createUploadProgressBar(stream: NodeJS.WritableStream): UploadProgressBar {
  const bar = new SingleBar(
    {
      stream,
      format: 'uploading [{bar}] {percentage}% {sent} of {size}',
      barsize: BAR_WIDTH_CHARS,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  let stopped = false;

  return {
    update(sentBytes, totalBytes) {
      if (stopped) return;
      const payload = { sent: formatBytes(sentBytes), size: formatBytes(totalBytes) };
      if (!started) {
        started = true;
        bar.start(totalBytes, sentBytes, payload);
      } else {
        bar.update(sentBytes, payload);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
