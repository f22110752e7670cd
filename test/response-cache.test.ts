/**
 * The response cache (src/app/response-cache.ts): a repeat HTTP query of unchanged data is answered
 * without executing it, and never shows anything an uncached answer would not: every write drops
 * it (on every instance), viewer flags stay the viewer's, a role set outside the API applies to the
 * next request, and an answer that changes by itself (a poll passing closesAt) is not served past
 * that moment.
 */
import path from 'node:path';
import { dbId, ADD_COMMENT, ADD_UPVOTE, CAST_VOTE, CREATE_POLL, CREATE_THREAD, typed } from './helpers/documents';
import { VIEWER_ROLE } from './helpers/control-documents';
import { temporaryDirectory } from './helpers/leftovers';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL } from './helpers/scale';
import { codesOf, startTestServer, TestServer } from './helpers/server';

type ThreadPage = {
  post: {
    id: string;
    commentCount: number;
    upvoteCount: number;
    viewerHasUpvoted: boolean;
    author: { byline: string };
    comments: { totalCount: number; nodes: Array<{ body: string; author: { byline: string } }> };
  } | null;
};
const THREAD_PAGE = typed<ThreadPage>(`query CachedThreadPage($id: ID!) {
  post(id: $id) {
    id commentCount upvoteCount viewerHasUpvoted
    author { byline }
    comments(first: 20) { totalCount nodes { body author { byline } } }
  }
}`);

type PollPage = { post: { isClosed: boolean; results: { isHidden: boolean; totalVotes: number | null } } | null };
const POLL_PAGE = typed<PollPage>(`query CachedPollPage($id: ID!) { post(id: $id) { ... on Poll { isClosed results { isHidden totalVotes } } } }`);

const UPDATE_TITLE = typed<{ updateProfile: { member: { byline: string } } | null }>(
  `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { member { byline } } }`,
);

/** Statements the server sends while `run` runs (token lookup included). */
async function statementsOf(t: TestServer, run: () => Promise<unknown>): Promise<number> {
  const log = t.probe.queryLog;
  log.captured = [];
  try {
    await run();
    return log.captured.length;
  } finally {
    log.captured = null;
  }
}

describe('response cache', () => {
  let t: TestServer;
  let author: { token: string; id: string };
  let reader: { token: string; id: string };
  let threadId: string;

  beforeAll(async () => {
    t = await startTestServer();
    [author, reader] = await Promise.all([t.signUp({ title: 'Author' }), t.signUp({ title: 'Reader' })]);
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Cache me', body: 'Twice read, once run.' } }, author.token);
    threadId = created.data!.createThread.thread.id;
    await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'First comment' } }, author.token);
  });

  it('answers a repeat read of unchanged data without executing it, the same answer', async () => {
    await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'A write: nothing cached survives it' } }, author.token);
    const before = { ...t.probe.responseCache.stats };
    const cold = await statementsOf(t, () => t.gql(THREAD_PAGE, { id: threadId }, reader.token));
    let first: ThreadPage | undefined;
    const repeat = await statementsOf(t, async () => (first = (await t.gql(THREAD_PAGE, { id: threadId }, reader.token)).data));
    const typename = await statementsOf(t, () => t.gql('{ __typename }', {}, reader.token));
    // The repeat costs what any signed-in request costs (the token lookup), not the page's statements
    // (give or take one statement of the poll-closing scheduler, which the log counts too).
    expect(cold).toBeGreaterThan(typename + 2);
    expect(repeat).toBeLessThanOrEqual(typename + 1);
    expect(t.probe.responseCache.stats.hits).toBe(before.hits + 1);
    const again = await t.gql(THREAD_PAGE, { id: threadId }, reader.token);
    expect(again.status).toBe(200);
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(again.data).toEqual(first);
    expect(first!.post!.comments.totalCount).toBe(2);
  });

  it('shows a comment, an upvote and a new byline from the very next read', async () => {
    const read = async (token: string | null) => (await t.gql(THREAD_PAGE, { id: threadId }, token)).data!.post!;
    const seen = await read(reader.token);
    await read(reader.token);
    await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'Fresh one' } }, author.token);
    const afterComment = await read(reader.token);
    expect(afterComment.commentCount).toBe(seen.commentCount + 1);
    expect(afterComment.comments.nodes.map((node) => node.body)).toContain('Fresh one');

    await t.gql(ADD_UPVOTE, { input: { subjectId: threadId } }, reader.token);
    const afterUpvote = await read(reader.token);
    expect(afterUpvote.upvoteCount).toBe(seen.upvoteCount + 1);
    expect(afterUpvote.viewerHasUpvoted).toBe(true);

    await read(null);
    const renamed = await t.gql(UPDATE_TITLE, { input: { title: 'Chief Cache Officer' } }, author.token);
    expect(renamed.errors).toBeUndefined();
    expect((await read(null)).author.byline).toMatch(/^Chief Cache Officer/);
  });

  it("keeps each viewer's flags their own: one member's upvote never shows as another's or an anonymous one", async () => {
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Flags', body: 'Whose upvote?' } }, author.token);
    const id = created.data!.createThread.thread.id;
    const flagOf = async (token: string | null) => (await t.gql(THREAD_PAGE, { id }, token)).data!.post!.viewerHasUpvoted;
    await t.gql(ADD_UPVOTE, { input: { subjectId: id } }, reader.token);
    for (let round = 0; round < 2; round++) {
      expect(await flagOf(reader.token)).toBe(true);
      expect(await flagOf(author.token)).toBe(false);
      expect(await flagOf(null)).toBe(false);
    }
  });

  it('applies a role set outside the API (the command line, by hand) to the next request', async () => {
    const member = await t.signUp({ title: 'Soon a moderator' });
    expect((await t.gql(VIEWER_ROLE, {}, member.token)).data!.viewer!.role).toBe('MEMBER');
    expect((await t.gql(VIEWER_ROLE, {}, member.token)).data!.viewer!.role).toBe('MEMBER');
    // Straight into the database, as `npm run member -- role` does from its own process: no write of this server.
    await t.probe.db.dataSource.query(`UPDATE members SET role = 'MODERATOR' WHERE id = ${dbId(member.id)}`);
    expect((await t.gql(VIEWER_ROLE, {}, member.token)).data!.viewer!.role).toBe('MODERATOR');
  });

  it('executes and does not store a request sent with Cache-Control: no-cache', async () => {
    const fresh = { 'cache-control': 'no-cache' };
    const typename = await statementsOf(t, () => t.gql('{ __typename }', {}, reader.token));
    await t.gql(THREAD_PAGE, { id: threadId }, reader.token);
    const stores = t.probe.responseCache.stats.stores;
    for (let round = 0; round < 2; round++) {
      expect(await statementsOf(t, () => t.gql(THREAD_PAGE, { id: threadId }, reader.token, fresh))).toBeGreaterThan(typename + 2);
    }
    expect(t.probe.responseCache.stats.stores).toBe(stores);
  });

  it('executes a page once for many requests arriving together after a write, and answers them all alike', async () => {
    const typename = await statementsOf(t, () => t.gql('{ __typename }', {}, reader.token));
    const page = await statementsOf(t, () => t.gql(THREAD_PAGE, { id: threadId }, reader.token, { 'cache-control': 'no-cache' }));
    await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'Everyone reads this at once' } }, author.token);
    let answers: Array<ThreadPage | undefined> = [];
    const together = await statementsOf(t, async () => {
      answers = (await Promise.all(Array.from({ length: 10 }, () => t.gql(THREAD_PAGE, { id: threadId }, reader.token)))).map((response) => response.data);
    });
    // Ten token lookups and one execution of the page (give or take a statement of the scheduler), not ten.
    expect(together).toBeLessThanOrEqual(page + 9 * typename + 1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.post!.comments.nodes.map((node) => node.body)).toContain('Everyone reads this at once');
  });

  it('sends a served answer as the very bytes an execution sends: body, cost, headers', async () => {
    await t.gql(ADD_COMMENT, { input: { postId: threadId, body: 'A write: the next read executes' } }, author.token);
    const raw = async (headers: Record<string, string> = {}) => {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${reader.token}`, ...headers },
        body: JSON.stringify({ query: THREAD_PAGE, variables: { id: threadId } }),
      });
      const seen = ['content-type', 'content-length', 'cache-control', 'etag'].map((name) => response.headers.get(name));
      return { status: response.status, seen, text: await response.text() };
    };
    const hits = t.probe.responseCache.stats.hits;
    const executed = await raw({ 'cache-control': 'no-cache' });
    const stored = await raw();
    const served = [await raw(), await raw()];
    expect(t.probe.responseCache.stats.hits).toBe(hits + 2);
    expect(executed.text).toMatch(/^\{"data":\{"post":\{.*\}\},"extensions":\{"cost":\d+\}\}\n$/s);
    for (const answer of [stored, ...served]) expect(answer).toEqual(executed);
  });

  it('reports the cost of each variables of one document, served or executed, and refuses one over LIMIT_COST every time', async () => {
    const PAGES = `query CostOfPages($id: ID!, $first: Int!, $replies: Int!) {
      post(id: $id) { comments(first: $first) { nodes { body replies(first: $replies) { nodes { body } } } } }
    }`;
    const read = (first: number, replies: number) => t.gql(PAGES, { id: threadId, first, replies }, reader.token);
    for (let round = 0; round < 3; round++) {
      // post 1, comments 1 + first x (nodes 1, body 1, replies 1 + replies x (nodes 1, body 1))
      expect((await read(2, 2)).extensions?.cost).toBe(2 + 2 * (3 + 2 * 2));
      expect((await read(20, 3)).extensions?.cost).toBe(2 + 20 * (3 + 2 * 3));
      const refused = await read(1000, 1000);
      expect(refused.status).toBe(400);
      expect(refused.errors![0].extensions).toEqual(expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'LIMIT_COST' }));
      expect(refused.data).toBeUndefined();
    }
  });

  it('never stores an answer with errors', async () => {
    const before = t.probe.responseCache.stats.stores;
    const recommended = `query { recommendedPosts(relatedTo: "${Buffer.from('Thread:999999').toString('base64url')}", first: 3) { id } }`;
    for (let round = 0; round < 2; round++) expect(codesOf(await t.gql(recommended, {}, reader.token))).toEqual(['NOT_FOUND']);
    expect(t.probe.responseCache.stats.stores).toBe(before);
  });

  it('does not serve a poll read open past its closesAt, before the scheduler has closed it', async () => {
    const closesAt = new Date(Date.now() + 1500).toISOString();
    const created = await t.gql(
      CREATE_POLL,
      { input: { title: 'Closing soon', options: ['Yes', 'No'], closesAt, resultsVisibility: 'ON_CLOSE' } },
      author.token,
    );
    expect(created.errors).toBeUndefined();
    const poll = created.data!.createPoll.poll;
    expect((await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[0].id] } }, reader.token)).errors).toBeUndefined();
    const open = await t.gql(POLL_PAGE, { id: poll.id }, null);
    expect(open.data!.post).toEqual({ isClosed: false, results: { isHidden: true, totalVotes: null } });
    expect((await t.gql(POLL_PAGE, { id: poll.id }, null)).data).toEqual(open.data);
    // Poll within a few milliseconds of closesAt: an entry kept past it would still say open and hidden.
    while (Date.now() < Date.parse(closesAt)) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await t.gql(POLL_PAGE, { id: poll.id }, null)).data!.post).toEqual({ isClosed: true, results: { isHidden: false, totalVotes: 1 } });
  });
});

describe('response cache, on a SQLite file whose COMMIT can be made to fail', () => {
  const diskFull = () => Object.assign(new Error('SQLITE_FULL: database or disk is full'), { errno: 13, code: 'SQLITE_FULL' });

  it('drops what it holds when a write fails in the database (its outcome uncertain), not when a write is refused by a rule', async () => {
    // A file of its own: the fault seam is SQLite's, so this runs in the PostgreSQL pass too (on SQLite).
    const t = await startTestServer({ database: `sqlite:${path.join(temporaryDirectory('peer-community-cache-'), 'community.sqlite')}` });
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Faulty disk', body: 'Cached, then a failed write.' } }, member.token);
    const id = created.data!.createThread.thread.id;
    await t.gql(THREAD_PAGE, { id }, member.token);
    await t.gql(THREAD_PAGE, { id }, member.token);
    const held = t.probe.responseCache.stats.invalidations;
    expect(t.probe.responseCache.size).toBeGreaterThan(0);

    // A rule refuses the write (an unknown post): its work rolled back, nothing changed, the cache stays.
    expect(codesOf(await t.gql(ADD_COMMENT, { input: { postId: Buffer.from('Thread:999999').toString('base64url'), body: 'x' } }, member.token))).toEqual([
      'NOT_FOUND',
    ]);
    expect(t.probe.responseCache.size).toBeGreaterThan(0);

    const clear = t.probe.db.injectFault('COMMIT', async (execute) => {
      await execute('ROLLBACK');
      throw diskFull();
    });
    try {
      expect(codesOf(await t.gql(ADD_COMMENT, { input: { postId: id, body: 'lost to the full disk' } }, member.token))).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      clear();
    }
    expect(t.probe.responseCache.stats.invalidations).toBe(held + 1);
    expect(t.probe.responseCache.size).toBe(0);
    expect((await t.gql(THREAD_PAGE, { id }, member.token)).data!.post!.commentCount).toBe(0);
    await t.stop();
  });
});

describe('response cache, off', () => {
  it('RESPONSE_CACHE_TTL_MS=0 executes every read', async () => {
    const t = await startTestServer({ env: { RESPONSE_CACHE_TTL_MS: '0' } });
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Uncached', body: 'Read twice, run twice.' } }, member.token);
    const id = created.data!.createThread.thread.id;
    const typename = await statementsOf(t, () => t.gql('{ __typename }', {}, member.token));
    for (let round = 0; round < 2; round++) {
      expect(await statementsOf(t, () => t.gql(THREAD_PAGE, { id }, member.token))).toBeGreaterThan(typename + 2);
    }
    expect(t.probe.responseCache.stats).toEqual({ hits: 0, misses: 0, stores: 0, invalidations: 0 });
    await t.stop();
  });
});

const SCALED = 'response cache, two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALED)(SCALED, () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const database = await freshPostgresDatabase();
    a = await startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
    b = await startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
  });

  it('drops what B holds when A writes, also a write without a domain event of its own (a profile)', async () => {
    const author = await a.signUp({ title: 'Before' });
    const created = await a.gql(CREATE_THREAD, { input: { title: 'Across instances', body: 'Read on B.' } }, author.token);
    const id = created.data!.createThread.thread.id;
    const bylineOnB = async () => (await b.gql(THREAD_PAGE, { id }, null)).data!.post!.author.byline;
    expect(await bylineOnB()).toMatch(/^Before/);
    expect(await bylineOnB()).toMatch(/^Before/);
    const hits = b.probe.responseCache.stats.hits;
    expect(hits).toBeGreaterThan(0);

    expect((await a.gql(UPDATE_TITLE, { input: { title: 'After' } }, author.token)).errors).toBeUndefined();
    // The relay delivers within milliseconds; B may answer from its cache only until then.
    const deadline = Date.now() + 2000;
    while ((await bylineOnB()).startsWith('Before') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await bylineOnB()).toMatch(/^After/);

    await a.gql(ADD_COMMENT, { input: { postId: id, body: 'Written on A' } }, author.token);
    const deadline2 = Date.now() + 2000;
    let count = 0;
    while ((count = (await b.gql(THREAD_PAGE, { id }, null)).data!.post!.commentCount) === 0 && Date.now() < deadline2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(count).toBe(1);
  });
});
