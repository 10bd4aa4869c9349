// Extracts a gzip tarball into a staging folder with tar-fs, rejecting entries that could escape
// the folder (.., absolute paths, links outside, device files) and archive bombs.
import { existsSync } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, normalize, posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tarFs from 'tar-fs';
import * as tarStream from 'tar-stream';
import { HttpError } from '../http-error.js';

const REMOVE_ATTEMPTS = 5;
const REMOVE_RECHECK_MS = 20;

export interface ExtractLimits {
  maxArchiveEntries: number;
  maxExpandedBytes: number;
}

export interface ExtractResult {
  entries: number;
  expandedBytes: number;
  /** The single top-level folder that was flattened, if there was one. */
  flattened: string | null;
}

function invalidArchive(message: string): HttpError {
  return new HttpError(422, 'INVALID_ARCHIVE', message);
}

/** Checks one tar header and returns an error for an entry that must not be extracted. */
export function checkEntry(header: tarStream.Header): HttpError | null {
  const name = header.name;
  if (isAbsolute(name) || /^[A-Za-z]:/.test(name) || name.startsWith('/')) {
    return invalidArchive(
      `archive entry ${JSON.stringify(name)} has an absolute path: pack the component with relative paths`,
    );
  }
  if (name.split(/[\\/]/).includes('..')) {
    return invalidArchive(
      `archive entry ${JSON.stringify(name)} contains '..' and would escape the component folder`,
    );
  }
  // tar-stream consumes pax and GNU long-name headers itself, so only entry types reach here.
  switch (header.type as string) {
    case 'file':
    case 'contiguous-file':
    case 'directory':
      return null;
    case 'symlink':
    case 'link': {
      const target = header.linkname ?? '';
      const kind = header.type === 'symlink' ? 'symlink' : 'hard link';
      if (isAbsolute(target) || target.startsWith('/')) {
        return invalidArchive(
          `archive ${kind} ${JSON.stringify(name)} points to the absolute path ${JSON.stringify(target)}`,
        );
      }
      const base = header.type === 'symlink' ? posix.dirname(name) : '.';
      const resolved = posix.normalize(posix.join(base, target));
      if (resolved === '..' || resolved.startsWith('../')) {
        return invalidArchive(
          `archive ${kind} ${JSON.stringify(name)} points outside the component folder (${JSON.stringify(target)})`,
        );
      }
      return null;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return invalidArchive(
        `archive entry ${JSON.stringify(name)} is a ${header.type}: components may contain only files, folders and links inside the folder`,
      );
    default:
      return invalidArchive(
        `archive entry ${JSON.stringify(name)} has the unsupported type ${String(header.type)}`,
      );
  }
}

/** Explains a gunzip or tar failure in terms of the payload. */
function describeArchiveError(error: Error): HttpError {
  if (error instanceof HttpError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (
    code === 'Z_DATA_ERROR' ||
    (/incorrect header check|invalid/i.test(error.message) &&
      /gzip|header check/i.test(error.message))
  ) {
    return invalidArchive(
      `payload is not a gzip tarball (${error.message}): upload a .tar.gz of the component folder`,
    );
  }
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)) {
    return invalidArchive(
      `payload is a truncated archive (${error.message}): upload the complete .tar.gz`,
    );
  }
  if (/tar header|invalid tar|Invalid tar/i.test(error.message)) {
    return invalidArchive(
      `payload is gzip but not a tar archive (${error.message}): upload a .tar.gz of the component folder`,
    );
  }
  return invalidArchive(`payload could not be extracted: ${error.message}`);
}

/**
 * Extracts `source` (gzip tarball bytes) into `targetDir`, which must not exist yet. On any error
 * the partly extracted folder is removed before the error is thrown.
 */
export async function extractPayload(
  source: Readable,
  targetDir: string,
  limits: ExtractLimits,
): Promise<ExtractResult> {
  let entries = 0;
  let expandedBytes = 0;
  const extractor = tarStream.extract();
  let rejection: HttpError | null = null;
  const reject = (error: HttpError): void => {
    if (rejection) return;
    rejection = error;
    process.nextTick(() => extractor.destroy(error));
  };
  const sink = tarFs.extract(targetDir, {
    extract: extractor,
    // Files get the mode of the archive, masked by the process umask; ownership is not copied.
    chown: false,
    ignore: (_name: string, header?: tarStream.Header) => {
      if (!header) return false;
      entries++;
      expandedBytes += header.size ?? 0;
      if (entries > limits.maxArchiveEntries) {
        reject(
          invalidArchive(
            `archive has more than ${limits.maxArchiveEntries} entries: it looks like an archive bomb; raise DEPLOY_MAX_ARCHIVE_ENTRIES if it is real`,
          ),
        );
        return true;
      }
      if (expandedBytes > limits.maxExpandedBytes) {
        reject(
          invalidArchive(
            `archive expands to more than ${limits.maxExpandedBytes} bytes: it looks like an archive bomb; raise DEPLOY_MAX_EXPANDED_BYTES if it is real`,
          ),
        );
        return true;
      }
      const problem = checkEntry(header);
      if (problem) {
        reject(problem);
        return true;
      }
      return false;
    },
  } as tarFs.ExtractOptions);
  try {
    await pipeline(source, createGunzip(), sink);
    if (rejection) throw rejection;
  } catch (error) {
    await removeAfterFailure(sink, targetDir);
    throw rejection ?? describeArchiveError(error as Error);
  }
  if (entries === 0) {
    await rm(targetDir, { recursive: true, force: true });
    throw invalidArchive('payload is an empty archive: pack the component folder');
  }
  const flattened = await flattenSingleFolder(targetDir);
  return { entries, expandedBytes, flattened };
}

/**
 * Removes a partly extracted folder once the extractor has stopped. In two loaded test runs the
 * folder still existed after the rejection, probably from a creation tar-fs began before the
 * error, so the folder is checked again after each removal.
 */
async function removeAfterFailure(sink: NodeJS.WritableStream, targetDir: string): Promise<void> {
  await finished(sink as Writable).catch(() => undefined);
  for (let attempt = 0; attempt < REMOVE_ATTEMPTS; attempt += 1) {
    await rm(targetDir, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, REMOVE_RECHECK_MS));
    if (!existsSync(targetDir)) return;
  }
}

/** Moves the contents of a single top-level folder up one level, as archives of a folder have. */
async function flattenSingleFolder(targetDir: string): Promise<string | null> {
  const names = await readdir(targetDir);
  if (names.length !== 1) return null;
  const only = names[0] as string;
  const onlyPath = join(targetDir, only);
  const stats = await lstat(onlyPath);
  if (!stats.isDirectory()) return null;
  const lifted = `${normalize(targetDir)}.flatten`;
  await rename(onlyPath, lifted);
  await rm(targetDir, { recursive: true, force: true });
  await rename(lifted, targetDir);
  return only;
}
