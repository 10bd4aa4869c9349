const CONNECTION_FLAGS = `  --target URL            Harper node to talk to, such as https://node-1:9926 (env HARPER_TARGET)
  --username NAME         Basic auth user (env HARPER_USERNAME)
  --password PASSWORD     Basic auth password (env HARPER_PASSWORD, which is safer than the flag
                          because other users can read command lines)
  --json                  Write one JSON object per line (NDJSON) to stdout
  -h, --help              Show this help`;

/** Help of `harper-deploy` without a command. */
export const MAIN_HELP = `harper-deploy: pack, upload and follow Harper component deployments

Usage:
  harper-deploy deploy [folder] --target URL [flags]   Deploy a folder or tarball
  harper-deploy watch <deployment-id> --target URL     Follow a running or finished deployment
  harper-deploy list --target URL [flags]              List recent deployments
  harper-deploy <command> --help                       Show the flags of a command
  harper-deploy --version                              Show the version

Exit codes: 0 success, 1 deployment failed or request rejected, 2 usage or connection error,
130 interrupted with Ctrl-C.
`;

/** Help of `harper-deploy deploy`. */
export const DEPLOY_HELP = `Usage: harper-deploy deploy [folder] --target URL [flags]

Packs the folder (default: the current folder) into a gzipped tarball, uploads it to
POST /deploy_component and follows the deployment until it ends. node_modules and .git
folders are left out of the tarball.

Flags:
  --tarball FILE              Upload this .tar.gz or .tgz file instead of packing a folder
  --project NAME              Project name (default: the folder name, or the tarball name
                              without .tar.gz or .tgz)
  --restart MODE              none, immediate or rolling (default: the server's)
  --install-command CMD       Command that installs dependencies (default: the server's)
  --install-timeout MS        Time limit of the install command, in milliseconds
  --allow-scripts             Let the package manager run install scripts
  --ignore-replication-errors Succeed even when some peers fail
  --include-node-modules      Keep node_modules folders in the tarball
  --reconnect-timeout MS      How long to keep reconnecting when the event stream drops,
                              in milliseconds (default 60000)
${CONNECTION_FLAGS}

Ctrl-C during the upload aborts it, so nothing is deployed. Ctrl-C later detaches: the
deployment goes on, and the command prints how to reattach. Both exit with code 130.
`;

/** Help of `harper-deploy watch`. */
export const WATCH_HELP = `Usage: harper-deploy watch <deployment-id> --target URL [flags]

Replays the events of a deployment from any node of the cluster and follows them until the
deployment ends. Exits with the deployment's result, like deploy.

Flags:
  --reconnect-timeout MS  How long to keep reconnecting when the event stream drops,
                          in milliseconds (default 60000)
${CONNECTION_FLAGS}
`;

/** Help of `harper-deploy list`. */
export const LIST_HELP = `Usage: harper-deploy list --target URL [flags]

Prints recent deployments, newest first: id, project, status, start time, duration and
how many nodes succeeded.

Flags:
  --project NAME          Only deployments of this project
  --status STATUS         Only deployments with this status, such as failed
  --limit N               Maximum number of deployments to show
  --offset N              Number of deployments to skip
${CONNECTION_FLAGS}
`;
