/**
 * A database that cannot serve is SERVICE_UNAVAILABLE to clients (fast,
 * never a hang, never INTERNAL_SERVER_ERROR), /healthz says 503, and the
 * server recovers by itself once the database is back.
 * SQLite: another process holds an exclusive lock on the file.
 * PostgreSQL (TEST_DATABASE_URL): the server reaches the database through a
 * TCP proxy that the test cuts and restores.
 */
import sqlite3 from 'sqlite3';
import { CuttableProxy } from './helpers/cuttable-proxy';
import { codesOf, startTestServer, TestServer } from './helpers/server';
import { onDispose } from './helpers/leftovers';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

function run(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (error) => (error ? reject(error) : resolve())));
}

describe('database unavailable', () => {
  let t: TestServer;
  let proxy: CuttableProxy | null = null;

  beforeAll(async () => {
    if (onPostgres) {
      const target = new URL(process.env.TEST_DATABASE_URL!);
      proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
      await proxy.open();
      const opened = proxy;
      onDispose(() => opened.cut());
      t = await startTestServer({
        databaseUrl: (url) => {
          const through = new URL(url);
          through.hostname = '127.0.0.1';
          through.port = String(proxy!.port);
          return through.toString();
        },
      });
    } else {
      t = await startTestServer();
    }
  });

  const createThread = (token: string, title: string) =>
    t.gql(`mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`, { input: { title, body: 'x' } }, token);

  it('answers SERVICE_UNAVAILABLE while the database is out of reach, reports 503, and recovers', async () => {
    const member = await t.signUp();
    if (proxy) {
      await proxy.cut();
      const started = Date.now();
      const blocked = await createThread(member.token, 'While cut');
      expect(codesOf(blocked)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(blocked.status).toBe(503);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(8000); // fails fast: a cut connection is refused at once
      await new Promise((resolve) => setTimeout(resolve, 2100)); // let the "recent success" of /healthz expire
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(503);
      await proxy.open(proxy.port);
    } else {
      const file = (t.probe.db.dataSource.options as { database: string }).database;
      const intruder = new sqlite3.Database(file);
      await run(intruder, 'PRAGMA busy_timeout = 0');
      await run(intruder, 'BEGIN EXCLUSIVE');
      try {
        // The server waits its busy timeout (5 s), then gives up with a retryable answer.
        const blocked = await createThread(member.token, 'Locked out');
        expect(codesOf(blocked)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(blocked.status).toBe(503);
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        await run(intruder, 'ROLLBACK');
        await new Promise<void>((resolve) => intruder.close(() => resolve()));
      }
    }
    // Back by itself: no restart.
    const deadline = Date.now() + 10_000;
    let after = await createThread(member.token, 'Back');
    while (after.errors && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await createThread(member.token, 'Back');
    }
    expect(after.errors).toBeUndefined();
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }, 30_000);
});
