import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    resources: 'src/resources.ts',
    harness: 'src/harness/index.ts',
  },
  format: ['esm'],
  // Workspace packages and npm dependencies stay external: Harper resolves them from
  // node_modules like any component's imports.
  skipNodeModulesBundle: true,
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
