import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/** An entry of a tarball: its name and type. */
export interface TarEntry {
  name: string;
  type: string;
}

/** Gunzips a tarball and lists its entries in order. Rejects when either step fails. */
export async function listTarEntries(gzipped: Buffer): Promise<TarEntry[]> {
  const tar = gunzipSync(gzipped);
  const extractor = extract();
  const entries: TarEntry[] = [];
  const done = (async () => {
    for await (const entry of extractor) {
      entries.push({ name: entry.header.name, type: entry.header.type ?? 'file' });
      entry.resume();
    }
  })();
  extractor.end(tar);
  await done;
  return entries;
}
