import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-fs';
import { UsageError } from './errors.js';

/** Folder names left out of the tarball at any depth. */
export const ALWAYS_EXCLUDED_NAMES: readonly string[] = ['.git'];
/** Folder names left out unless `includeNodeModules` is set. */
export const DEFAULT_EXCLUDED_NAMES: readonly string[] = ['.git', 'node_modules'];

/** Options of packDirectory. */
export interface PackDirectoryOptions {
  /** Keep `node_modules` folders. `.git` is always left out. */
  includeNodeModules?: boolean;
  /** Folder to write the tarball to. Defaults to a new temporary folder. */
  outputDirectory?: string;
  /** Name of the tarball file. Defaults to `payload.tar.gz`. */
  fileName?: string;
}

/** A gzipped tarball written by packDirectory. */
export interface PackedDirectory {
  path: string;
  /** Size of the gzipped tarball in bytes. */
  bytes: number;
  /** Number of files, folders and links in the tarball, not counting the root folder. */
  entries: number;
  /** Deletes the tarball, and its temporary folder when packDirectory created one. */
  remove(): Promise<void>;
}

/**
 * Packs a folder into a gzipped tarball whose top-level entries are the folder's contents, with
 * no enclosing folder. `.git` and, by default, `node_modules` are skipped at any depth. Symbolic
 * links are stored as links. Throws UsageError when the path is not a folder.
 */
export async function packDirectory(
  directory: string,
  options: PackDirectoryOptions = {},
): Promise<PackedDirectory> {
  const root = resolve(directory);
  const rootStats = await stat(root).catch(() => undefined);
  if (rootStats === undefined || !rootStats.isDirectory()) {
    throw new UsageError(`not a folder: ${directory}`);
  }

  const excluded = new Set(
    options.includeNodeModules ? ALWAYS_EXCLUDED_NAMES : DEFAULT_EXCLUDED_NAMES,
  );
  const createdDirectory =
    options.outputDirectory === undefined
      ? await mkdtemp(join(tmpdir(), 'harper-deploy-'))
      : undefined;
  const outputPath = join(
    options.outputDirectory ?? (createdDirectory as string),
    options.fileName ?? 'payload.tar.gz',
  );
  const remove = async () => {
    await rm(createdDirectory ?? outputPath, { recursive: true, force: true });
  };

  let entries = 0;
  const tarball = pack(root, {
    // tar-fs passes the path joined to `root`, so each segment is checked.
    ignore: (name) =>
      relative(root, name)
        .split(sep)
        .some((segment) => excluded.has(segment)),
    map: (header) => {
      if (header.name !== '.') entries += 1;
      return header;
    },
  });

  try {
    await pipeline(tarball, createGzip(), createWriteStream(outputPath));
    const { size } = await stat(outputPath);
    return { path: outputPath, bytes: size, entries, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
