import { describe, expect, it } from 'vitest';
import type { DeploymentRow } from './deployment-row.js';
import { toPublicRow } from './public-row.js';

function rowWithBlob(payloadBlob: unknown): DeploymentRow {
  return {
    deployment_id: 'd-1',
    project: 'shop',
    package_identifier: 'npm:shop@1.0.0',
    payload_blob: payloadBlob,
    payload_hash: 'b'.repeat(64),
    payload_size: 128,
    status: 'success',
    phase: 'restart',
    event_log: [],
    peer_results: [],
    origin_node: 'node-1',
    user: 'admin',
    restart_mode: 'rolling',
    started_at: 1,
    completed_at: 2,
    error: null,
  };
}

describe('toPublicRow', () => {
  it('removes payload_blob', () => {
    const publicRow = toPublicRow(rowWithBlob({ size: 128 }));

    expect(Object.hasOwn(publicRow, 'payload_blob')).toBe(false);
  });

  it('reports a present blob', () => {
    expect(toPublicRow(rowWithBlob({ size: 128 })).payload_blob_present).toBe(true);
  });

  it('reports a missing blob', () => {
    expect(toPublicRow(rowWithBlob(null)).payload_blob_present).toBe(false);
  });

  it('keeps the other fields', () => {
    const { payload_blob: _payloadBlob, ...rest } = rowWithBlob({ size: 128 });

    expect(toPublicRow(rowWithBlob({ size: 128 }))).toEqual({
      ...rest,
      payload_blob_present: true,
    });
  });
});
