/**
 * GET /metrics (Prometheus text format) moves when things happen over HTTP
 * and over the WebSocket: operations and their durations, errors by code
 * (also requests refused before an operation runs), WebSocket connections
 * and subscriptions by field, live messages, domain events, the unit of
 * work; METRICS_TOKEN guards it.
 */
import WebSocket from 'ws';
import { toGlobalId } from '../src/graphql/global-id';
import { collect, connect, wsUrl } from './helpers/live';
import { codesOf, startTestServer, TestServer } from './helpers/server';

/** The value of the first sample of `name` whose labels include `labels` (0 when there is none yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]] = pair[2];
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return 0;
}

/** The sum of every sample of `name`. */
function total(text: string, name: string): number {
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{.*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
  return sum;
}

async function scrape(t: TestServer, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${t.baseUrl}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** Scrapes until `predicate` holds (gauges follow sockets closing, which the server hears a moment later). */
async function scrapeUntil(t: TestServer, predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await scrape(t);
    if (predicate(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const CREATE_THREAD = `mutation CreateThread($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`;
const RECORD_VIEW = `mutation ($input: RecordViewInput!) { recordView(input: $input) { post { viewCount } } }`;
const POST_STATS = `subscription WatchStats($postId: ID!) { postStatsUpdated(postId: $postId) { id viewCount upvoteCount commentCount } }`;

describe('GET /metrics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('counts each HTTP operation by name, type and outcome, with its duration', async () => {
    const before = await scrape(t);
    expect((await t.gql(`query MetricsTopics { topics { slug } }`)).errors).toBeUndefined();
    expect(codesOf(await t.gql(`query MetricsTooMany { posts(first: 1000) { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    const after = await scrape(t);
    const ok = { operation: 'MetricsTopics', type: 'query', outcome: 'ok' };
    expect(sample(after, 'graphql_operations_total', ok) - sample(before, 'graphql_operations_total', ok)).toBe(1);
    expect(sample(after, 'graphql_operations_total', { operation: 'MetricsTooMany', type: 'query', outcome: 'error' })).toBe(1);
    expect(sample(after, 'graphql_operation_duration_seconds_count', { operation: 'MetricsTopics', type: 'query' })).toBe(1);
    expect(sample(after, 'graphql_operation_duration_seconds_sum', { operation: 'MetricsTopics', type: 'query' })).toBeGreaterThan(0);
    expect(sample(after, 'graphql_errors_total', { code: 'BAD_USER_INPUT' }) - sample(before, 'graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
  });

  it('counts errors of requests refused before any operation ran: a bad token, a body too large', async () => {
    const before = await scrape(t);
    const refused = await t.gql(`{ topics { slug } }`, {}, 'not-a-valid-token-at-all-0000000000');
    expect(refused.status).toBe(401);
    expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);
    const huge = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ topics { slug } }`, pad: 'x'.repeat(2_000_000) }),
    });
    expect(huge.status).toBe(413);
    const hugeCode = ((await huge.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code;
    const after = await scrape(t);
    const delta = (code: string) => sample(after, 'graphql_errors_total', { code }) - sample(before, 'graphql_errors_total', { code });
    expect(delta('UNAUTHENTICATED')).toBe(1);
    expect(delta(hugeCode)).toBe(1);
    // Neither reached an operation.
    expect(total(after, 'graphql_operations_total')).toBe(total(before, 'graphql_operations_total'));
  });

  it('follows WebSocket connections and subscriptions by field as they come and go, and counts live messages sent', async () => {
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Watched', body: 'Body.' } }, member.token);
    const postId = created.data.createThread.thread.id;
    const before = await scrape(t);

    const client = connect(t, member.token);
    const stats = collect(client, POST_STATS, { postId });
    await stats.until((messages) => messages.length === 1);
    let text = await scrape(t);
    expect(sample(text, 'ws_connections')).toBe(1);
    expect(sample(text, 'ws_subscriptions', { field: 'postStatsUpdated' })).toBe(1);
    expect(sample(text, 'graphql_operations_total', { operation: 'WatchStats', type: 'subscription', outcome: 'ok' })).toBe(1);
    const sent = (text: string) => sample(text, 'live_messages_sent_total', { field: 'postStatsUpdated' });
    expect(sent(text) - sent(before)).toBe(1);

    // A change is pushed: one more message sent.
    await t.gql(RECORD_VIEW, { input: { postId } });
    await stats.until((messages) => messages.length === 2);
    expect(sent(await scrape(t)) - sent(before)).toBe(2);

    stats.unsubscribe();
    text = await scrapeUntil(t, (now) => sample(now, 'ws_subscriptions', { field: 'postStatsUpdated' }) === 0);
    expect(sample(text, 'ws_subscriptions', { field: 'postStatsUpdated' })).toBe(0);
    expect(sample(text, 'ws_connections')).toBe(1);

    await client.dispose();
    text = await scrapeUntil(t, (now) => sample(now, 'ws_connections') === 0);
    expect(sample(text, 'ws_connections')).toBe(0);
  });

  it('counts a refused subscription and a WebSocket refused for its token', async () => {
    const before = await scrape(t);
    const client = connect(t);
    const missing = collect(client, POST_STATS, { postId: toGlobalId('Thread', 999_999) });
    await missing.ended();
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer not-a-valid-token-at-all-0000000000' } })));
    expect(await closed).toBe(4403);
    await client.dispose();

    const after = await scrape(t);
    const delta = (code: string) => sample(after, 'graphql_errors_total', { code }) - sample(before, 'graphql_errors_total', { code });
    expect(delta('NOT_FOUND')).toBe(1);
    expect(delta('UNAUTHENTICATED')).toBe(1);
    expect(sample(after, 'graphql_operations_total', { operation: 'WatchStats', type: 'subscription', outcome: 'error' })).toBe(1);
  });

  it('counts domain events published and units of work with their wait, and exposes process metrics', async () => {
    const before = await scrape(t);
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Evented', body: 'Body.' } }, member.token);
    await t.gql(RECORD_VIEW, { input: { postId: created.data.createThread.thread.id } });
    const after = await scrape(t);
    expect(sample(after, 'domain_events_published_total')).toBeGreaterThan(sample(before, 'domain_events_published_total'));
    if (process.env.TEST_DATABASE_URL) {
      // PostgreSQL: no queue of our own (a pool); the gauge reports requests waiting for a connection.
      expect(sample(after, 'db_unit_of_work_wait_seconds_count')).toBe(0);
    } else {
      expect(sample(after, 'db_unit_of_work_wait_seconds_count')).toBeGreaterThan(sample(before, 'db_unit_of_work_wait_seconds_count'));
    }
    if (process.env.TEST_REDIS_URL) {
      // Relayed to other instances: counted once Redis acknowledged the publish.
      const relayed = await scrapeUntil(t, (now) => sample(now, 'redis_relay_published_total') > sample(before, 'redis_relay_published_total'));
      expect(sample(relayed, 'redis_relay_published_total')).toBeGreaterThan(sample(before, 'redis_relay_published_total'));
      expect(sample(relayed, 'redis_relay_publish_failures_total')).toBe(0);
    }
    expect(after).toMatch(/^db_unit_of_work_queue_length \d+$/m);
    expect(after).toMatch(/^process_cpu_user_seconds_total /m);
    expect(after).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it('counts response cache hits, misses and invalidations', async () => {
    const before = await scrape(t);
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Cached', body: 'Read twice.' } }, member.token);
    const read = () => t.gql(`query ($id: ID!) { post(id: $id) { title } }`, { id: created.data.createThread.thread.id }, member.token);
    await read();
    await read();
    await t.gql(RECORD_VIEW, { input: { postId: created.data.createThread.thread.id } });
    const after = await scrape(t);
    const lookups = (text: string, result: string) => sample(text, 'response_cache_lookups_total', { result });
    expect(lookups(after, 'miss')).toBeGreaterThanOrEqual(lookups(before, 'miss') + 1);
    expect(lookups(after, 'hit')).toBeGreaterThanOrEqual(lookups(before, 'hit') + 1);
    expect(sample(after, 'response_cache_invalidations_total')).toBeGreaterThan(sample(before, 'response_cache_invalidations_total'));
  });

  it('counts rate-limited requests through the increment the limiters call', async () => {
    t.probe.metrics.rateLimited('login');
    t.probe.metrics.rateLimited('login');
    expect(sample(await scrape(t), 'rate_limited_total', { limit: 'login' })).toBe(2);
  });

  it('keeps operation names a bounded label: past 100 distinct names, "other"', async () => {
    for (let i = 0; i < 105; i++) await t.gql(`query Bounded${i} { __typename }`);
    const text = await scrape(t);
    const names = new Set([...text.matchAll(/^graphql_operations_total\{operation="([^"]+)"/gm)].map((match) => match[1]));
    for (const special of ['anonymous', 'invalid', 'other']) names.delete(special);
    expect(names.size).toBe(100);
    expect(sample(text, 'graphql_operations_total', { operation: 'other' })).toBeGreaterThan(0);
  });

  it('keeps one registry per server: another server in the same process counts only its own', async () => {
    const other = await startTestServer();
    try {
      await other.gql(`query OnlyOnOther { __typename }`);
      expect(sample(await scrape(other), 'graphql_operations_total', { operation: 'OnlyOnOther' })).toBe(1);
      expect(sample(await scrape(t), 'graphql_operations_total', { operation: 'OnlyOnOther' })).toBe(0);
    } finally {
      await other.stop();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { METRICS_TOKEN: 'scrape secret:42' } });
  });
  afterAll(() => t.stop());

  it('answers 401 (JSON) without the token or with a wrong one, 200 with it', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'scrape secret:42' }] as Array<Record<string, string>>) {
      const response = await fetch(`${t.baseUrl}/metrics`, { headers });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const text = await scrape(t, { authorization: 'Bearer scrape secret:42' });
    expect(text).toMatch(/^# TYPE graphql_operations_total counter$/m);
  });
});
