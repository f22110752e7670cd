/**
 * GET /livez: the process answers, without touching the database. A
 * supervisor restarts a process that fails it, and restarting does not cure
 * a database outage, so it stays 200 while the database cannot serve
 * (while /healthz, readiness, says 503).
 * SQLite: another process holds an exclusive lock on the file, so the one
 * connection's queue is stuck behind a write. PostgreSQL
 * (TEST_DATABASE_URL): the database is reached through a proxy that is cut.
 */
import sqlite3 from 'sqlite3';
import { CuttableProxy } from './helpers/cuttable-proxy';
import { codesOf, startTestServer, TestServer } from './helpers/server';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

function run(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (error) => (error ? reject(error) : resolve())));
}

const CREATE_THREAD = `mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`;

describe('GET /livez', () => {
  let t: TestServer;
  let proxy: CuttableProxy | null = null;

  beforeAll(async () => {
    if (onPostgres) {
      const target = new URL(process.env.TEST_DATABASE_URL!);
      proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
      await proxy.open();
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
  afterAll(async () => {
    await t.stop();
    await proxy?.cut();
  });

  it('answers 200 {"status":"alive"} in normal times', async () => {
    const response = await fetch(`${t.baseUrl}/livez`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'alive' });
  });

  it('answers 200 while the database cannot serve', async () => {
    const member = await t.signUp();
    if (proxy) {
      await proxy.cut();
      try {
        expect(codesOf(await t.gql(CREATE_THREAD, { input: { title: 'While cut', body: 'x' } }, member.token))).toEqual(['SERVICE_UNAVAILABLE']);
        await new Promise((resolve) => setTimeout(resolve, 2100)); // let the "recent success" of /healthz expire
        expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(503);
        const live = await fetch(`${t.baseUrl}/livez`);
        expect(live.status).toBe(200);
        expect(await live.json()).toEqual({ status: 'alive' });
      } finally {
        await proxy.open(proxy.port);
      }
      return;
    }
    const file = (t.probe.db.dataSource.options as { database: string }).database;
    const intruder = new sqlite3.Database(file);
    await run(intruder, 'PRAGMA busy_timeout = 0');
    await run(intruder, 'BEGIN EXCLUSIVE');
    try {
      // The write waits for the lock (up to the 5 s busy timeout), and every unit of work behind it waits too.
      let writeSettled = false;
      const blocked = t.gql(CREATE_THREAD, { input: { title: 'Locked out', body: 'x' } }, member.token).finally(() => (writeSettled = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const live = await fetch(`${t.baseUrl}/livez`);
      expect(live.status).toBe(200);
      expect(writeSettled).toBe(false); // answered while the database queue was stuck
      expect(codesOf(await blocked)).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      await run(intruder, 'ROLLBACK');
      await new Promise<void>((resolve) => intruder.close(() => resolve()));
    }
  }, 30_000);
});
