/**
 * Returns true when the request is a deploy replicated from another node: it carries a
 * `_deploymentId` but no `payload`, so this node must read the payload from the replicated
 * deployment row. An origin request has a payload, or no `_deploymentId` yet.
 */
export function isReplicatedExecution(request: Record<string, unknown>): boolean {
  const deploymentId = request._deploymentId;
  const hasDeploymentId =
    deploymentId !== undefined && deploymentId !== null && deploymentId !== '';
  const hasPayload = request.payload !== undefined && request.payload !== null;
  return hasDeploymentId && !hasPayload;
}
