import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: builds dist/ with tsup before the tests start, because the CLI tests run
 * the built bin in child processes and a clean clone has no dist/ yet.
 */
export default function buildPackage(): void {
  const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));
  const tsupCli = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
  try {
    execFileSync(process.execPath, [tsupCli], { cwd: packageDirectory, stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer; stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`building the package before the tests failed:\n${output}`, { cause: error });
  }
}
