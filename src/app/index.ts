/** The server: `startServer` for `npm start`, `startServerWithProbe` for tests. */
export { startServer, startServerWithProbe } from './server';
export type { RunningServer, TestProbe } from './server';
