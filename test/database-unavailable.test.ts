/**
 * A database that cannot serve (here: another process holds an exclusive
 * lock on the SQLite file) is SERVICE_UNAVAILABLE to clients, never an
 * internal error, and the server recovers by itself once it can.
 */
import sqlite3 from 'sqlite3';
import { codesOf, startTestServer, TestServer } from './helpers/server';

function run(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (error) => (error ? reject(error) : resolve())));
}

describe('database unavailable', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('answers SERVICE_UNAVAILABLE while the file is locked, and recovers', async () => {
    const member = await t.signUp();
    const file = (t.server.dataSource.options as { database: string }).database;
    const intruder = new sqlite3.Database(file);
    await run(intruder, 'PRAGMA busy_timeout = 0');
    await run(intruder, 'BEGIN EXCLUSIVE');
    try {
      // The server waits its busy timeout (5 s), then gives up with a retryable answer.
      const blocked = await t.gql(`mutation { createThread(input: { title: "Locked out", body: "x" }) { thread { id } } }`, {}, member.token);
      expect(codesOf(blocked)).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      await run(intruder, 'ROLLBACK');
      await new Promise<void>((resolve) => intruder.close(() => resolve()));
    }
    const after = await t.gql(`mutation { createThread(input: { title: "Back", body: "x" }) { thread { id } } }`, {}, member.token);
    expect(after.errors).toBeUndefined();
  }, 20_000);
});
