/**
 * PostgreSQL restarted while members write: every request that cannot be
 * served answers SERVICE_UNAVAILABLE (retryable, never INTERNAL_SERVER_ERROR),
 * the server recovers by itself, and nothing it acknowledged is lost.
 * The cluster is the test's own, on a spare port (test/helpers/own-postgres.ts):
 * a fast shutdown (sessions terminated with 57P01) and a crash (immediate
 * shutdown, then recovery), each while writes are in flight.
 */
import { Client as PgClient } from 'pg';
import { OwnPostgres, ownPostgres, postgresBinDir } from './helpers/own-postgres';
import { codesOf, startTestServer, TestServer } from './helpers/server';

const SUITE = 'PostgreSQL restarted under writes';

function describeWithPostgresPrograms(): jest.Describe {
  if (postgresBinDir()) return describe;
  if (process.env.CI) throw new Error(`${SUITE}: the PostgreSQL server programs are not installed, and CI must run this suite (see .ci/run)`);
  process.stdout.write(`\n  SKIPPED ${SUITE}: the PostgreSQL server programs (initdb, postgres) are not installed\n\n`);
  return describe.skip;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgresPrograms()(SUITE, () => {
  let pg: OwnPostgres;
  let t: TestServer;

  beforeAll(async () => {
    pg = await ownPostgres();
    t = await startTestServer({ database: pg.url });
  }, 60_000);

  it('answers only SERVICE_UNAVAILABLE while it is down, recovers by itself and loses nothing it acknowledged', async () => {
    const member = await t.signUp();
    const thread = await t.gql(`mutation { createThread(input: { title: "Restarts", body: "Writes in flight" }) { thread { id } } }`, {}, member.token);
    const postId: string = thread.data.createThread.thread.id;

    const acknowledged: string[] = [];
    const failureCodes: string[] = [];
    let writing = true;
    const writer = async (worker: number) => {
      for (let n = 0; writing; n++) {
        const body = `worker ${worker} comment ${n}`;
        const response = await t.gql(
          `mutation ($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`,
          { input: { postId, body } },
          member.token,
        );
        if (response.errors) {
          failureCodes.push(...codesOf(response));
          await sleep(50); // a client backing off before it retries
        } else {
          acknowledged.push(body);
        }
      }
    };
    const writers = Array.from({ length: 6 }, (_, worker) => writer(worker));

    /** Waits until writes are acknowledged again, without restarting anything. */
    const recovered = async () => {
      const before = acknowledged.length;
      const deadline = Date.now() + 15_000;
      while (acknowledged.length < before + 20) {
        if (Date.now() > deadline) throw new Error('the server did not recover by itself within 15 s');
        await sleep(50);
      }
    };

    await sleep(500);
    await pg.stop('fast');
    await sleep(1000);
    await pg.start();
    await recovered();

    await pg.stop('immediate');
    await sleep(1000);
    await pg.start();
    await recovered();
    writing = false;
    await Promise.all(writers);

    expect(failureCodes.length).toBeGreaterThan(0);
    expect([...new Set(failureCodes)]).toEqual(['SERVICE_UNAVAILABLE']);

    const client = new PgClient({ connectionString: pg.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ body: string }>('SELECT body FROM comments');
      const stored = new Set(rows.map((row) => row.body));
      expect(acknowledged.filter((body) => !stored.has(body))).toEqual([]);
      // The counter moved with the rows, also for writes whose answer was lost in the restart.
      const post = await t.gql(`query ($id: ID!) { post(id: $id) { commentCount } }`, { id: postId });
      expect(post.data.post.commentCount).toBe(rows.length);
    } finally {
      await client.end();
    }
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }, 90_000);
});
