/**
 * Acknowledged means committed, on SQLite, after the faults that end a
 * transaction behind the server's back: a statement or a COMMIT failing on a
 * full disk (SQLite rolls the transaction back itself), a ROLLBACK failing.
 * TypeORM's own transactions lost every later write after such a fault
 * (src/db/sqlite-transactions.ts): these tests read the file through a
 * second, independent connection and after a restart, never only through
 * the server that might see its own uncommitted writes.
 */
import path from 'node:path';
import { ADD_COMMENT, CREATE_THREAD, SIGN_UP } from './helpers/documents';
import { codesOf, startTestServer, TestServer } from './helpers/server';
import { commentBodiesOnDisk } from './helpers/sqlite-file';
import { disposeTestLeftovers, temporaryDirectory } from './helpers/leftovers';

/** What sqlite3 reports for a write that finds the disk full. */
const diskFull = () => Object.assign(new Error('SQLITE_FULL: database or disk is full'), { errno: 13, code: 'SQLITE_FULL' });
const ioError = () => Object.assign(new Error('SQLITE_IOERR: disk I/O error'), { errno: 10, code: 'SQLITE_IOERR' });

describe('durability on SQLite: acknowledged means committed', () => {
  let dir: string;
  let file: string;
  let t: TestServer;
  let member: { token: string; id: string };
  let postId: string;

  beforeEach(async () => {
    dir = temporaryDirectory('peer-community-durability-');
    file = path.join(dir, 'community.sqlite');
    t = await startTestServer({ database: `sqlite:${file}` });
    member = await t.signUp();
    const thread = await t.gql(CREATE_THREAD, { input: { title: 'Durability', body: 'Comments below' } }, member.token);
    postId = thread.data!.createThread.thread.id;
  });
  afterEach(disposeTestLeftovers);

  const comment = (body: string) => t.gql(ADD_COMMENT, { input: { postId, body } }, member.token);

  /**
   * A unit of work that fails after it began (signUp with an address in use) and rolls back.
   * After TypeORM had lost count of its transactions, such a rollback left a transaction open
   * for good, and every write after it was acknowledged inside it, never committed.
   */
  async function failInsideUnitOfWork(): Promise<void> {
    const input = { email: 'taken@example.test', password: 'correct horse battery', title: 'CIO', companySize: 'EMPLOYEES_2_TO_10' };
    await t.gql(SIGN_UP, { input });
    expect(codesOf(await t.gql(SIGN_UP, { input }))).toEqual(['BAD_USER_INPUT']);
  }
  const health = async () => (await fetch(`${t.baseUrl}/healthz`)).status;

  /** Stops the server and starts a new one on the same file. */
  async function restart(): Promise<void> {
    await t.stop();
    t = await startTestServer({ database: `sqlite:${file}` });
  }

  async function bodiesViaApi(): Promise<string[]> {
    const response = await t.gql(POST_COMMENTS, { id: postId });
    expect(response.errors).toBeUndefined();
    return response.data.post.comments.nodes.map((node: { body: string }) => node.body);
  }

  it('a write that finds the file full gets SERVICE_UNAVAILABLE; every write acknowledged after it is on disk and survives a restart', async () => {
    const acknowledged: string[] = [];
    const refused: string[] = [];
    // The file may not grow any more: like a full disk, SQLite answers SQLITE_FULL and rolls the transaction back itself.
    const [{ page_count: pages }] = await t.probe.db.read((manager) => manager.query('PRAGMA page_count'));
    await t.probe.db.read((manager) => manager.query(`PRAGMA max_page_count = ${pages}`));
    for (let i = 0; refused.length < 3 && i < 200; i++) {
      const body = `while full ${i} ` + 'x'.repeat(3000);
      const response = await comment(body);
      if (response.errors) {
        expect(codesOf(response)).toEqual(['SERVICE_UNAVAILABLE']);
        refused.push(body);
      } else {
        acknowledged.push(body);
      }
    }
    expect(refused).toHaveLength(3);
    // Writes cannot commit (the health probe's write cannot either): 503, also after the scheduler's ticks.
    expect(await health()).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await health()).toBe(503);

    // Space again.
    await t.probe.db.read((manager) => manager.query('PRAGMA max_page_count = 1073741823'));
    expect(await health()).toBe(200);
    await failInsideUnitOfWork();
    for (let i = 0; i < 5; i++) {
      const body = `after space was freed ${i}`;
      const response = await comment(body);
      expect(response.errors).toBeUndefined();
      acknowledged.push(body);
    }

    expect(await commentBodiesOnDisk(file)).toEqual(acknowledged);
    await restart();
    expect(await bodiesViaApi()).toEqual(acknowledged);
    expect((await t.gql(POST_COUNT, { id: postId })).data.post.commentCount).toBe(acknowledged.length);
  });

  it('a failed COMMIT answers SERVICE_UNAVAILABLE and /healthz 503 until writes commit again; then writes are on disk', async () => {
    expect((await comment('before the fault')).errors).toBeUndefined();
    // The disk fails at COMMIT: SQLite rolls the transaction back and reports SQLITE_FULL.
    const clear = t.probe.db.injectFault('COMMIT', async (execute) => {
      await execute('ROLLBACK');
      throw diskFull();
    });
    const failed = await comment('lost to the full disk');
    expect(codesOf(failed)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await health()).toBe(503);
    expect(codesOf(await comment('also refused'))).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await health()).toBe(503);

    clear();
    expect(await health()).toBe(200); // its probe write commits
    await failInsideUnitOfWork();
    const after = await comment('after the disk recovered');
    expect(after.errors).toBeUndefined();

    expect(await commentBodiesOnDisk(file)).toEqual(['before the fault', 'after the disk recovered']);
    await restart();
    expect(await bodiesViaApi()).toEqual(['before the fault', 'after the disk recovered']);
  });

  it('a COMMIT that fails and leaves its transaction open is rolled back, not continued by the next write', async () => {
    // An I/O error at COMMIT that SQLite does not roll back: the transaction is still open on the connection.
    const clear = t.probe.db.injectFault('COMMIT', async () => {
      throw ioError();
    });
    expect(codesOf(await comment('never committed'))).toEqual(['SERVICE_UNAVAILABLE']);
    clear();
    await failInsideUnitOfWork();
    expect((await comment('committed')).errors).toBeUndefined();
    expect(await commentBodiesOnDisk(file)).toEqual(['committed']);
    await restart();
    expect(await bodiesViaApi()).toEqual(['committed']);
  });

  it('a failed ROLLBACK leaves no transaction open: the connection is reopened, nothing of the failed unit is seen, the next write is on disk', async () => {
    let rollbacks = 0;
    // Every ROLLBACK fails with an I/O error and leaves its transaction (and the write lock) open,
    // so only closing the connection can end it.
    const clear = t.probe.db.injectFault('ROLLBACK', async () => {
      rollbacks++;
      throw ioError();
    });
    try {
      // A unit of work that writes, then fails: its ROLLBACK is the one that fails.
      await expect(
        t.probe.db.write(async ({ manager }) => {
          await manager.query(`INSERT INTO topics (slug, name, post_count) VALUES ('doomed', 'Doomed', 0)`);
          throw new Error('fails after writing');
        }),
      ).rejects.toThrow('fails after writing');
      expect(rollbacks).toBe(1);

      // Reads and writes go on, on a fresh connection: the failed unit's row is nowhere.
      const topics = await t.gql(`{ topics { slug } }`);
      expect(topics.data.topics.map((topic: { slug: string }) => topic.slug)).not.toContain('doomed');
      const after = await comment('after the failed rollback');
      expect(after.errors).toBeUndefined();
    } finally {
      clear();
    }
    expect(await commentBodiesOnDisk(file)).toEqual(['after the failed rollback']);
    expect(await health()).toBe(200);
    await restart();
    expect(await bodiesViaApi()).toEqual(['after the failed rollback']);
    expect((await t.gql(`{ topics { slug } }`)).data.topics.map((topic: { slug: string }) => topic.slug)).not.toContain('doomed');
  });

  it('runs with synchronous = FULL, so a COMMIT is on disk before it is acknowledged', async () => {
    const [{ synchronous }] = await t.probe.db.read((manager) => manager.query('PRAGMA synchronous'));
    expect(synchronous).toBe(2); // FULL
  });
});

const POST_COMMENTS = `query ($id: ID!) { post(id: $id) { ... on Thread { comments(first: 100, orderBy: OLDEST) { nodes { body } } } } }`;
const POST_COUNT = `query ($id: ID!) { post(id: $id) { commentCount } }`;
