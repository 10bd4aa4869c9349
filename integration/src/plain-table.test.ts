import { describe, expect, it } from 'vitest';
import type { HarperTable } from './harper.js';
import { plainTable } from './plain-table.js';
import type { DeploymentRow } from './row-types.js';

const BLOB = { stream: () => [] };

/** Returns a table that stores rows in memory and records each write as `put` or `patch`. */
function recordingTable(withPatch = true) {
  const rows = new Map<string, Record<string, unknown>>();
  const writes: Array<{ kind: 'put' | 'patch'; fields: string[] }> = [];
  const table: HarperTable<DeploymentRow> = {
    get: (id) => (rows.get(id) ?? null) as DeploymentRow | null,
    put(id, row) {
      writes.push({ kind: 'put', fields: Object.keys(row) });
      rows.set(id, { ...row });
    },
    search: async function* () {},
  };
  if (withPatch) {
    table.patch = (id, update) => {
      writes.push({ kind: 'patch', fields: Object.keys(update) });
      rows.set(id, { ...rows.get(id), ...update });
    };
  }
  return { rows, writes, table };
}

function row(status: string, payloadBlob: unknown): DeploymentRow {
  return {
    deployment_id: 'd-1',
    status,
    payload_blob: payloadBlob,
    payload_hash: null,
  } as unknown as DeploymentRow;
}

describe('plainTable writes', () => {
  it('puts a row whose blob is new', async () => {
    const { writes, table } = recordingTable();

    await plainTable(table).put('d-1', row('pending', BLOB));

    expect(writes).toEqual([
      { kind: 'put', fields: ['deployment_id', 'status', 'payload_blob', 'payload_hash'] },
    ]);
  });

  it('patches later writes without the blob', async () => {
    const { rows, writes, table } = recordingTable();
    const plain = plainTable(table);

    await plain.put('d-1', row('pending', BLOB));
    await plain.put('d-1', row('installing', BLOB));

    expect(writes[1]).toEqual({
      kind: 'patch',
      fields: ['deployment_id', 'status', 'payload_hash'],
    });
    expect(rows.get('d-1')?.payload_blob).toBe(BLOB);
    expect(rows.get('d-1')?.status).toBe('installing');
  });

  it('patches when another worker stored the blob', async () => {
    const { rows, writes, table } = recordingTable();
    rows.set('d-1', { ...row('restarting', BLOB) });

    await plainTable(table).put('d-1', row('success', BLOB));

    expect(writes).toEqual([
      { kind: 'patch', fields: ['deployment_id', 'status', 'payload_hash'] },
    ]);
  });

  it('puts a row that clears its blob', async () => {
    const { rows, writes, table } = recordingTable();
    const plain = plainTable(table);

    await plain.put('d-1', row('pending', BLOB));
    await plain.put('d-1', row('failed', null));

    expect(writes[1]?.kind).toBe('put');
    expect(rows.get('d-1')?.payload_blob).toBeNull();
  });

  it('puts every write when the table has no patch', async () => {
    const { writes, table } = recordingTable(false);
    const plain = plainTable(table);

    await plain.put('d-1', row('pending', BLOB));
    await plain.put('d-1', row('installing', BLOB));

    expect(writes.map((write) => write.kind)).toEqual(['put', 'put']);
  });

  it('puts the blob again after a failed write', async () => {
    const { writes, table } = recordingTable();
    const put = table.put;
    let failures = 1;
    table.put = (id, value) => {
      if (failures-- > 0) throw new Error('write failed');
      return put(id, value);
    };
    const plain = plainTable(table);

    await expect(plain.put('d-1', row('pending', BLOB))).rejects.toThrow('write failed');
    await plain.put('d-1', row('pending', BLOB));

    expect(writes.map((write) => write.kind)).toEqual(['put']);
    expect(writes[0]?.fields).toContain('payload_blob');
  });
});
