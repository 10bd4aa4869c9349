#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The first Ctrl-C aborts the upload or detaches from the stream. The listener is removed after
// it runs, so a second Ctrl-C falls back to Node's default and ends the process at once.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

process.exitCode = await runCli({
  args: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
