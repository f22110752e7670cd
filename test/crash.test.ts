/**
 * A server process killed (SIGKILL) in the middle of a write storm loses
 * nothing it acknowledged: after a restart every acknowledged comment is
 * there, the post's counter equals its rows, and (SQLite) the file passes
 * integrity_check. The server runs as `npm start` runs it (dist/src/main.js).
 */
import path from 'node:path';
import { Client as PgClient } from 'pg';
import sqlite3 from 'sqlite3';
import { describeWithScaleServers, freshPostgresDatabase, gqlTo, spawnServer } from './helpers/scale';
import { temporaryDirectory } from './helpers/leftovers';

const gql = gqlTo;

/** Starts a server on `databaseUrl`, writes comments from 8 clients at once, SIGKILLs it mid-storm; returns what was acknowledged. */
async function stormThenKill(databaseUrl: string): Promise<{ postId: string; acknowledged: string[] }> {
  const server = await spawnServer({ DATABASE_URL: databaseUrl });
  const signUp = await gql<{ signUp: { token: string } }>(server, `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
    input: { email: 'storm@example.test', password: 'correct horse battery', title: 'CTO', companySize: 'EMPLOYEES_2_TO_10' },
  });
  const token: string = signUp.data!.signUp.token;
  const thread = await gql<{ createThread: { thread: { id: string } } }>(
    server,
    `mutation { createThread(input: { title: "Storm", body: "Killed mid-write" }) { thread { id } } }`,
    {},
    token,
  );
  const postId: string = thread.data!.createThread.thread.id;

  const acknowledged: string[] = [];
  let killed = false;
  const writer = async (worker: number) => {
    for (let n = 0; !killed; n++) {
      const body = `worker ${worker} comment ${n}`;
      try {
        const response = await gql(
          server,
          `mutation ($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`,
          { input: { postId, body } },
          token,
        );
        if (!response.errors) acknowledged.push(body);
      } catch {
        return; // the connection died with the process: no answer, no acknowledgement
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, worker) => writer(worker));
  const deadline = Date.now() + 15_000;
  while (acknowledged.length < 150 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  killed = true;
  server.child.kill('SIGKILL');
  await server.stop();
  await Promise.all(writers);
  return { postId, acknowledged };
}

/** After a restart: every acknowledged comment is stored and the counter equals the rows. */
async function expectNothingLost(databaseUrl: string, storm: { postId: string; acknowledged: string[] }, storedBodies: () => Promise<string[]>): Promise<void> {
  expect(storm.acknowledged.length).toBeGreaterThanOrEqual(100);
  const server = await spawnServer({ DATABASE_URL: databaseUrl });
  try {
    const stored = new Set(await storedBodies());
    expect(storm.acknowledged.filter((body) => !stored.has(body))).toEqual([]);
    const post = await gql<{ post: { commentCount: number } }>(server, `query ($id: ID!) { post(id: $id) { commentCount } }`, { id: storm.postId });
    expect(post.data!.post.commentCount).toBe(stored.size);
  } finally {
    await server.stop();
  }
}

describe('SIGKILL during a write storm (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = temporaryDirectory('peer-community-crash-');
  });

  it('loses nothing acknowledged, keeps counters equal to rows and the file intact', async () => {
    const file = path.join(dir, 'community.sqlite');
    const url = `sqlite:${file}`;
    const read = async <T>(sql: string): Promise<T[]> => {
      const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
      try {
        return await new Promise<T[]>((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
      } finally {
        await new Promise<void>((resolve) => db.close(() => resolve()));
      }
    };
    const storm = await stormThenKill(url);
    await expectNothingLost(url, storm, async () => (await read<{ body: string }>('SELECT body FROM comments')).map((row) => row.body));
    expect(await read<{ integrity_check: string }>('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  }, 60_000);
});

describeWithScaleServers('SIGKILL during a write storm (PostgreSQL)')('SIGKILL during a write storm (PostgreSQL)', () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await freshPostgresDatabase();
  });

  it('loses nothing acknowledged and keeps counters equal to rows', async () => {
    const storm = await stormThenKill(database.url);
    await expectNothingLost(database.url, storm, async () => {
      const client = new PgClient({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query<{ body: string }>('SELECT body FROM comments')).rows.map((row) => row.body);
      } finally {
        await client.end();
      }
    });
  }, 60_000);
});
