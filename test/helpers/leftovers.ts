/**
 * The harness cannot leak (graphql-ws's tests/utils/tservers.ts): every
 * server, process, database, folder and client a helper starts goes on a
 * dispose list, and a root-level afterAll, registered once per test file by
 * jest's setupFilesAfterEnv (./setup.ts), empties it in reverse order of
 * creation (a client before its server, a server before its database and
 * folder). It runs after every describe's own afterAll hooks.
 *
 * Files whose tests must each start clean (no client of an earlier test still
 * subscribed, a server per test) add `afterEach(disposeTestLeftovers)`: it
 * disposes, at once, what was started during the test (its beforeEach hooks
 * included), and nothing started in a beforeAll. Without it, what a test
 * starts lives until the file ends, so a later test may still use it.
 *
 * Disposers must be harmless when called twice: a test may stop a server on
 * purpose (a restart) and the list stops it again at the end.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Dispose = () => unknown;

const fileLeftovers: Dispose[] = [];
const testLeftovers: Dispose[] = [];
let inTest = false;

/** Puts `dispose` on the list of the current scope (the running test, or the file); returns it, for chaining. */
export function onDispose<T extends Dispose>(dispose: T): T {
  (inTest ? testLeftovers : fileLeftovers).push(dispose);
  return dispose;
}

async function drain(list: Dispose[]): Promise<void> {
  const failures: unknown[] = [];
  // Every disposer runs even when one fails; the first failure is reported afterwards.
  while (list.length > 0) {
    try {
      await list.pop()?.();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** Disposes now what the running test has started, newest first (for afterEach hooks, see above). */
export function disposeTestLeftovers(): Promise<void> {
  return drain(testLeftovers);
}

/** A temporary folder, removed by the dispose list (after what was started later, e.g. a server using it). */
export function temporaryDirectory(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onDispose(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Registers the hooks; called once per test file from jest's setupFilesAfterEnv (./setup.ts). */
export function disposeLeftoversAutomatically(): void {
  beforeEach(() => {
    inTest = true;
  });
  // What the test started and did not dispose joins the file's list, in creation order.
  afterEach(() => {
    inTest = false;
    fileLeftovers.push(...testLeftovers.splice(0));
  });
  afterAll(() => drain(fileLeftovers), 60_000);
}
