/**
 * On SQLite, reads run on read-only connections beside the one writer
 * (src/db/sqlite-readers.ts): they do not wait for a write transaction that
 * is open, they never see its rows before its COMMIT, and a read sent after
 * a write was acknowledged sees it. A snapshot shows one moment even when a
 * write commits in the middle of it. The idle poll-closing scheduler does not
 * ask the database every tick.
 */
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { CREATE_POLL } from './helpers/documents';
import { temporaryDirectory } from './helpers/leftovers';
import { startTestServer, TestServer } from './helpers/server';

/** A SQLite file of its own: the reader pool is SQLite's, so these run in the PostgreSQL pass too (on SQLite). */
const sqliteFile = () => `sqlite:${path.join(temporaryDirectory('peer-community-readers-'), 'community.sqlite')}`;

describe('SQLite readers beside the writer', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ database: sqliteFile(), env: { SQLITE_READERS: '2' } });
  });

  const topicSlugs = async (): Promise<string[]> => {
    const response = await t.gql<{ topics: Array<{ slug: string }> }>(`{ topics { slug } }`);
    expect(response.errors).toBeUndefined();
    return response.data!.topics.map((topic) => topic.slug);
  };

  it('serves reads while a write transaction is open, shows none of its rows before COMMIT, and all of them once it is acknowledged', async () => {
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const write = t.probe.db.write(async ({ manager }) => {
      await manager.query(`INSERT INTO topics (slug, name, post_count) VALUES ('held-open', 'Held open', 0)`);
      wrote();
      await held; // the transaction stays open (and holds the write lock) until the test lets it go
    });
    await written;
    try {
      const started = Date.now();
      for (let i = 0; i < 5; i++) expect(await topicSlugs()).not.toContain('held-open');
      // Five reads over HTTP while the writer's transaction is open: none waited for it.
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      finish();
    }
    await write;
    expect(await topicSlugs()).toContain('held-open');
  });

  it('/healthz answers 503 while a write holds the writer with others waiting, though reads still succeed', async () => {
    const health = async () => {
      const response = await fetch(`${t.baseUrl}/healthz`);
      return { status: response.status, body: (await response.json()) as { status: string } };
    };
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let began!: () => void;
    const holding = new Promise<void>((resolve) => (began = resolve));
    const stuck = t.probe.db.write(async () => {
      began();
      await held; // a write that hangs (the writer is held)
    });
    await holding;
    const queued = t.probe.db.write(({ manager }) => manager.query(`SELECT 1`));
    try {
      await new Promise((resolve) => setTimeout(resolve, 2300));
      await topicSlugs(); // reads are served (it checks the answer has no errors) ...
      expect(await health()).toEqual({ status: 503, body: { status: 'writes stalled' } }); // ... yet writes are stuck
    } finally {
      finish();
    }
    await Promise.all([stuck, queued]);
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('a read right after each acknowledged write sees it (read-your-writes), under concurrent load', async () => {
    const member = await t.signUp();
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const created = await t.gql(CREATE_POLL, { input: { title: `Seen at once ${i}`, options: ['A', 'B'] } }, member.token);
        expect(created.errors).toBeUndefined();
        const id = created.data!.createPoll.poll.id;
        const read = await t.gql<{ post: { title: string } | null }>(`query ($id: ID!) { post(id: $id) { title } }`, { id });
        expect(read.data!.post?.title).toBe(`Seen at once ${i}`);
      }),
    );
  });

  it('a snapshot shows one moment even when a write commits in the middle of it', async () => {
    const count = `SELECT COUNT(*) AS n FROM topics`;
    const [before, after] = await t.probe.db.snapshot(async (manager) => {
      const [{ n: first }] = await manager.query(count);
      // Readers do not block the writer: this write commits while the snapshot is open.
      await t.probe.db.write(({ manager: writer }) => writer.query(`INSERT INTO topics (slug, name, post_count) VALUES ('mid-snapshot', 'Mid', 0)`));
      const [{ n: second }] = await manager.query(count);
      return [first, second];
    });
    expect(after).toBe(before);
    const [{ n: now }] = await t.probe.db.read((manager) => manager.query(count));
    expect(now).toBe(before + 1);
  });

  it('a SELECT run again on the statement its reader kept sees every commit, on every reader', async () => {
    const named = `SELECT COUNT(*) AS n FROM topics WHERE slug LIKE ?`;
    // Four at once on two readers: each reader runs it twice.
    const countOnEveryReader = () =>
      Promise.all([1, 2, 3, 4].map(() => t.probe.db.read(async (manager) => Number((await manager.query(named, ['kept-%']))[0].n))));
    const keptBefore = t.probe.db.statementsKept.readers;
    for (let i = 0; i < 3; i++) expect(await countOnEveryReader()).toEqual([0, 0, 0, 0]);
    // Both readers keep it now (the first run of a text prepares it for the next).
    expect(t.probe.db.statementsKept.readers).toBeGreaterThanOrEqual(keptBefore + 2);
    for (let i = 1; i <= 3; i++) {
      await t.probe.db.write(({ manager }) => manager.query(`INSERT INTO topics (slug, name, post_count) VALUES ('kept-${i}', 'Kept ${i}', 0)`));
      expect(await countOnEveryReader()).toEqual([i, i, i, i]);
    }
    // A kept statement whose SQL fails at run time reports the error and the reader goes on.
    await expect(t.probe.db.read((manager) => manager.query(`SELECT COUNT(*) AS n FROM no_such_table`))).rejects.toThrow(/no such table/);
    expect(await countOnEveryReader()).toEqual([3, 3, 3, 3]);
  });

  it('readers are read-only: a write sent through read() fails and stores nothing', async () => {
    await expect(t.probe.db.read((manager) => manager.query(`INSERT INTO topics (slug, name, post_count) VALUES ('sneaked', 'Sneaked', 0)`))).rejects.toThrow();
    expect(await topicSlugs()).not.toContain('sneaked');
  });

  it("statements carry no sqlite3 long stack trace (TypeORM's verbose() is off)", async () => {
    const error = await t.probe.db.read((manager) => manager.query('SELECT * FROM no_such_table')).catch((caught: unknown) => caught);
    const driverError = (error as { driverError?: Error }).driverError ?? (error as Error);
    expect(driverError.message).toMatch(/no such table/);
    expect(driverError.stack).not.toContain('--> in Database#');
  });

  it('an idle scheduler does not read every tick, and still closes a poll created meanwhile on time', async () => {
    const idle = await startTestServer({ database: sqliteFile(), env: { POLL_CLOSE_INTERVAL_MS: '50' } });
    await new Promise((resolve) => setTimeout(resolve, 300)); // its first look-ahead read
    idle.probe.queryLog.captured = [];
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const sent = idle.probe.queryLog.captured;
    idle.probe.queryLog.captured = null;
    // Before: 40 ticks, each a read. Now at most one look-ahead read in 2 s (one per 5 s).
    expect(sent.length).toBeLessThanOrEqual(1);

    const member = await idle.signUp();
    const closesAt = Date.now() + 1000;
    const created = await idle.gql(
      CREATE_POLL,
      { input: { title: 'Closes soon', options: ['A', 'B'], closesAt: new Date(closesAt).toISOString() } },
      member.token,
    );
    const id = created.data!.createPoll.poll.id;
    const version = async () =>
      (await idle.gql<{ post: { results: { version: number } } }>(`query ($id: ID!) { post(id: $id) { ... on Poll { results { version } } } }`, { id })).data!
        .post.results.version;
    const opened = await version();
    while (Date.now() < closesAt + 1000 && (await version()) === opened) await new Promise((resolve) => setTimeout(resolve, 50));
    // The scheduler's close is a write: a new version, within a few ticks of closesAt.
    expect(await version()).toBe(opened + 1);
  });
});

describe('SQLite with SQLITE_READERS=0: every read in the writer queue', () => {
  it('reads, writes and snapshots as before', async () => {
    const t = await startTestServer({ database: sqliteFile(), env: { SQLITE_READERS: '0' } });
    const member = await t.signUp();
    const created = await t.gql(CREATE_POLL, { input: { title: 'One connection', options: ['A', 'B'] } }, member.token);
    const id = created.data!.createPoll.poll.id;
    const read = await t.gql<{ post: { title: string } }>(`query ($id: ID!) { post(id: $id) { title } }`, { id });
    expect(read.data!.post.title).toBe('One connection');
    const [{ n }] = await t.probe.db.snapshot((manager) => manager.query('SELECT COUNT(*) AS n FROM posts'));
    expect(n).toBe(1);
  });
});

describe('shutdown', () => {
  it('closes the readers with the writer: nothing of the server keeps the file open', async () => {
    const file = path.join(temporaryDirectory('peer-community-readers-'), 'community.sqlite');
    const t = await startTestServer({ database: `sqlite:${file}` });
    await t.signUp();
    await t.stop();
    // Leaving WAL mode needs every other connection closed (what npm run restore relies on).
    const db = new sqlite3.Database(file);
    try {
      const rows = await new Promise<Array<{ journal_mode: string }>>((resolve, reject) =>
        db.all('PRAGMA journal_mode = DELETE', (error, result) => (error ? reject(error) : resolve(result as Array<{ journal_mode: string }>))),
      );
      expect(rows[0].journal_mode).toBe('delete');
    } finally {
      await new Promise<void>((resolve) => db.close(() => resolve()));
    }
  });
});
