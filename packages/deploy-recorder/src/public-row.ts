import type { DeploymentRow } from './deployment-row.js';

/** Deployment row as the HTTP API returns it: without the payload blob. */
export type PublicDeploymentRow = Omit<DeploymentRow, 'payload_blob'> & {
  /** Whether the row has a payload blob. */
  payload_blob_present: boolean;
};

/** Returns a shallow copy of `row` without `payload_blob` and with `payload_blob_present`. */
export function toPublicRow(row: DeploymentRow): PublicDeploymentRow {
  const { payload_blob: payloadBlob, ...rest } = row;
  return {
    ...rest,
    payload_blob_present: payloadBlob !== null && payloadBlob !== undefined,
  };
}
