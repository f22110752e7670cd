/**
 * Two server processes (as `npm start` runs them) on one PostgreSQL database
 * with Redis carrying live events: they start together on a fresh database,
 * a subscriber on one sees what is written on the other, and 300 members
 * voting at once over both leave exact tallies everywhere.
 */
import { Client as PgClient } from 'pg';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ADD_COMMENT, CAST_VOTE, CREATE_POLL, CREATE_THREAD, Document, SIGN_UP, typed } from './helpers/documents';
import { collect, last } from './helpers/live';
import { POSTGRES_MIGRATIONS } from '../src/db/migrations/postgres';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL, ServerProcess, spawnServer } from './helpers/scale';
import type { ResponseError } from './helpers/server';

const SUITE = 'two instances on PostgreSQL + Redis';

describeWithScaleServers(SUITE)(SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    // Both at the same moment on an empty database: migrations run once, under the advisory lock.
    [a, b] = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: database.url, REDIS_URL: SCALE_REDIS_URL })));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    expect(codes).toEqual([0, 0]);
  }, 30_000);

  const gql = async <T>(server: ServerProcess, query: Document<T>, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: ResponseError[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  let emails = 0;
  const signUp = async (server: ServerProcess) =>
    (
      await gql(server, SIGN_UP, {
        input: { email: `scale${++emails}@example.test`, password: 'correct horse battery', title: 'CTO', companySize: 'EMPLOYEES_51_TO_200' },
      })
    ).signUp.token as string;
  const subscriber = (server: ServerProcess) => {
    const client = createClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(client);
    return client;
  };

  it('migrated the fresh database exactly once although both started together', async () => {
    const client = new PgClient({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT COUNT(*)::int AS n FROM migrations');
      expect(rows[0].n).toBe(POSTGRES_MIGRATIONS.length);
    } finally {
      await client.end();
    }
    const migrated = [a, b].filter((server) => server.output().includes('applied migrations'));
    expect(migrated).toHaveLength(1);
  });

  it('delivers on one instance what is written on the other', async () => {
    const author = await signUp(a);
    const poll = (await gql(a, CREATE_POLL, { input: { title: 'Which region?', options: ['EU', 'US', 'APAC'] } }, author)).createPoll.poll;
    const onA = subscriber(a);
    // Subscribes on one socket take effect in order: once results sends its snapshot, comments listens too.
    const comments = collect(onA, WATCH_COMMENTS, { id: poll.id });
    const results = collect(onA, WATCH_TALLIES, { id: poll.id });
    await results.until((messages) => messages.length === 1);

    const voter = await signUp(b);
    await gql(b, CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[1].id] } }, voter);
    await results.until((messages) => versionOf(messages) === 1, 10_000);
    expect(last(results, 'pollResultsUpdated')).toMatchObject({ totalVotes: 1, options: [{ voteCount: 0 }, { voteCount: 1 }, { voteCount: 0 }] });

    const written = (await gql(b, ADD_COMMENT, { input: { postId: poll.id, body: 'Written on B' } }, voter)).addComment;
    await comments.until((messages) => messages.length === 1, 10_000);
    expect(last(comments, 'commentAdded')).toMatchObject({ cursor: written.commentEdge.cursor, node: { id: written.comment.id, body: 'Written on B' } });
  }, 30_000);

  it('delivers comments written concurrently on both instances to subscribers on both, each once, in commit order', async () => {
    const writers = await Promise.all([a, b, a, b].map((server) => signUp(server)));
    const thread = (await gql(a, CREATE_THREAD, { input: { title: 'Where do you run CI?', body: 'Cloud or self-hosted?' } }, writers[0])).createThread.thread;
    // Subscribing with `after` (the first comment) makes the start independent of timing:
    // everything after it is delivered, whether written before or after the subscription took effect.
    const first = (await gql(b, ADD_COMMENT, { input: { postId: thread.id, body: 'first' } }, writers[1])).addComment;
    const watchers = [a, b].map((server) => collect(subscriber(server), WATCH_COMMENTS_AFTER, { id: thread.id, after: first.commentEdge.cursor }));

    await Promise.all(
      Array.from({ length: 40 }, (_, i) => gql([a, b][i % 2], ADD_COMMENT, { input: { postId: thread.id, body: `comment ${i}` } }, writers[i % 4])),
    );
    const oldest = (await gql(a, OLDEST_COMMENTS, { id: thread.id })).post.comments.edges.map((edge: { cursor: string }) => edge.cursor);
    expect(oldest).toHaveLength(41);
    for (const watcher of watchers) {
      await watcher.until((messages) => messages.length >= 40, 15_000);
      // Exactly the comments after the first, once each, in the order of their sequence (= commit) numbers.
      expect(watcher.messages.map((message) => message.data.commentAdded.cursor)).toEqual(oldest.slice(1));
    }
  }, 30_000);

  it('keeps tallies exact when 300 members vote at once over both instances', async () => {
    const author = await signUp(a);
    const poll = (await gql(a, CREATE_POLL, { input: { title: 'Build or buy?', options: ['Build', 'Buy', 'Both'] } }, author)).createPoll.poll;
    const watchers = [a, b].map((server) => collect(subscriber(server), WATCH_TALLIES, { id: poll.id }));
    await Promise.all(watchers.map((watcher) => watcher.until((messages) => messages.length === 1)));

    const servers = [a, b];
    const tokens: string[] = [];
    for (let i = 0; i < 300; i += 30) tokens.push(...(await Promise.all(Array.from({ length: 30 }, (_, j) => signUp(servers[(i + j) % 2])))));
    await Promise.all(tokens.map((token, i) => gql(servers[i % 2], CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[i % 3].id] } }, token)));

    const expected = { participantCount: 300, totalVotes: 300, version: 300, options: [{ voteCount: 100 }, { voteCount: 100 }, { voteCount: 100 }] };
    for (const server of servers) expect((await gql(server, READ_TALLIES, { id: poll.id })).post.results).toMatchObject(expected);
    for (const watcher of watchers) {
      await watcher.until((messages) => versionOf(messages) === 300, 15_000);
      expect(last(watcher, 'pollResultsUpdated')).toMatchObject({
        ...expected,
        options: expected.options.map((o) => ({ ...o, percentage: expect.any(Number) })),
      });
      const versions = watcher.messages.map((message) => message.data.pollResultsUpdated.version);
      expect(versions).toEqual([...versions].sort((x: number, y: number) => x - y));
    }
  }, 60_000);
});

/** The version of the last pollResultsUpdated message. */
const versionOf = (messages: Array<{ data?: { pollResultsUpdated?: { version: number } } }>): number | undefined =>
  messages[messages.length - 1]?.data?.pollResultsUpdated?.version;

const OLDEST_COMMENTS = typed<{ post: { comments: { edges: Array<{ cursor: string }> } } }>(
  `query ($id: ID!) { post(id: $id) { comments(first: 100, orderBy: OLDEST) { edges { cursor } } } }`,
);
const READ_TALLIES = typed<{ post: { results: { participantCount: number; totalVotes: number; version: number; options: Array<{ voteCount: number }> } } }>(
  `query ($id: ID!) { post(id: $id) { ... on Poll { results { participantCount totalVotes version options { voteCount } } } } }`,
);
const WATCH_TALLIES = `subscription ($id: ID!) { pollResultsUpdated(pollId: $id) { participantCount totalVotes version options { voteCount percentage } } }`;
const WATCH_COMMENTS = `subscription ($id: ID!) { commentAdded(postId: $id) { cursor node { id body } } }`;
const WATCH_COMMENTS_AFTER = `subscription ($id: ID!, $after: String) { commentAdded(postId: $id, after: $after) { cursor node { id body } } }`;
