// Harper returns table records, and the objects nested in them, with accessors instead of own
// properties, so spreading a record drops its attributes. This wrapper hands the rest of the code plain row objects instead.
import { isTerminalStatus } from '@harper-deploy/deploy-recorder';
import type { HarperTable } from './harper.js';
import type { DeploymentRow } from './row-types.js';

/** The attributes of deploy.hdb_deployment, as schema.graphql declares them. */
export const ROW_ATTRIBUTES = [
  'deployment_id',
  'project',
  'package_identifier',
  'payload_blob',
  'payload_hash',
  'payload_size',
  'status',
  'phase',
  'event_log',
  'peer_results',
  'origin_node',
  'user',
  'restart_mode',
  'started_at',
  'completed_at',
  'error',
] as const;

/** Attributes of type Any, whose nested objects Harper also returns with accessors. */
const NESTED_ATTRIBUTES = new Set<string>(['event_log', 'peer_results', 'error']);

/** Copies a record's attributes into a plain object, nested values included. */
export function plainRow(record: unknown): DeploymentRow {
  const source = record as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const attribute of ROW_ATTRIBUTES) {
    const value = source[attribute] ?? null;
    // JSON.stringify reads accessors, so a round trip turns Harper's objects into plain ones.
    row[attribute] =
      NESTED_ATTRIBUTES.has(attribute) && value !== null
        ? JSON.parse(JSON.stringify(value))
        : value;
  }
  if (!Array.isArray(row.event_log)) row.event_log = [];
  if (!Array.isArray(row.peer_results)) row.peer_results = [];
  return row as unknown as DeploymentRow;
}

/** Wraps Harper's table so that reads return plain rows. */
export function plainTable(table: HarperTable<DeploymentRow>): HarperTable<DeploymentRow> {
  // Rows whose blob this worker has written, until they end, to spare a read before each write.
  const blobWritten = new Set<string>();
  return {
    async get(id) {
      const record = await table.get(id);
      return record ? plainRow(record) : record;
    },
    async put(id, row) {
      // Harper 4.7 sends a record's blob to every peer again for each put that carries it, unless
      // a send of that blob is still running, as its replication code shows. A deployment's blob
      // never changes once set, so later writes are patches without it.
      const hasBlob = row.payload_blob != null;
      const blobStored =
        hasBlob &&
        table.patch !== undefined &&
        (blobWritten.has(id) || (await table.get(id))?.payload_blob != null);
      if (blobStored && table.patch) {
        const { payload_blob: _stored, ...update } = row;
        await table.patch(id, update);
      } else {
        await table.put(id, row);
      }
      if (hasBlob && !isTerminalStatus(row.status)) blobWritten.add(id);
      else blobWritten.delete(id);
    },
    async *search(query) {
      for await (const record of table.search(query)) yield plainRow(record);
    },
    // Change events carry the record's id, so readers fetch the row itself through get().
    subscribe: table.subscribe?.bind(table),
  };
}
