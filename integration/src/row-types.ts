// The deployment row and its event entries, as the recorder package defines them.
export type {
  DeploymentRow,
  EventLogEntry as DeploymentEventEntry,
  PeerResult,
} from '@harper-deploy/deploy-recorder';
