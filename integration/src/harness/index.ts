// The cluster harness: start and stop a local Harper cluster for tests, the demo and `pnpm cluster`.
export * from './cluster.js';
