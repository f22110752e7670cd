/**
 * Fan-out: N subscribers, one socket each, in the client process; one change over HTTP; the time
 * from the change to each subscriber's frame with the new state. Each round against the server is
 * followed by the same round against the plain `ws` broadcast server with the very frame the
 * server sent, to the same number of clients from the same client process. The same rounds give
 * the subscribe rate (connect, connection_init, subscribe, first message) and the memory per idle
 * subscriber (resident memory with N subscribers minus before, over N).
 */
import { performance } from 'node:perf_hooks';
import { gqlOk } from './api';
import { ADD_COMMENT, CAST_VOTE, COMMENT_ADDED, CREATE_POLL, CREATE_THREAD, OLDEST_COMMENTS, POLL_RESULTS, POLL_RESULTS_UPDATED } from './documents';
import { Helper, residentBytes, sleep } from './processes';

export interface Delivery {
  subscribers: number;
  delivered: number;
  missing: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
  lastMs: number;
  /** Subscriptions (or plain connections) per second while the audience connected. */
  connectPerSecond: number;
  connectFailures: number;
  /** Resident memory added per connected client, in KB. */
  memoryPerClientKb: number;
  /** How long the change itself took to be acknowledged (the mutation over HTTP, or the IPC to the plain server). */
  changeMs: number;
}

export interface FanoutRound {
  feed: string;
  server: Delivery;
  plain: Delivery;
}

export interface FanoutSetup {
  url: string;
  serverPid: number;
  client: Helper;
  plain: Helper;
  plainPid: number;
  inFlight: number;
  settleMs: number;
}

/** What a round needs from the server side: how to subscribe, the marker of the change's frame, the change. */
interface Change {
  payload: object;
  prepare(): Promise<string>;
  make(): Promise<unknown>;
}

const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface Collected {
  times: number[];
  missing: number;
  duplicates: number;
  sample: string | null;
}

async function deliver(
  setup: FanoutSetup,
  mode: 'graphql' | 'plain',
  count: number,
  payload: object | undefined,
  /** Arms the clients, makes the change and returns when it started and when it was acknowledged. */
  fire: () => Promise<{ startedAt: number; doneAt: number }>,
) {
  const pid = mode === 'graphql' ? setup.serverPid : setup.plainPid;
  const url = mode === 'graphql' ? setup.url.replace('http', 'ws') + '/graphql' : `ws://127.0.0.1:${setup.plain.hello.port}`;
  await sleep(setup.settleMs);
  const before = residentBytes(pid);
  const connected = await setup.client.request<{ ms: number; connected: number; failed: number }>({
    type: 'connect',
    url,
    count,
    inFlight: setup.inFlight,
    mode,
    payload,
  });
  await sleep(setup.settleMs);
  const after = residentBytes(pid);
  const { startedAt, doneAt } = await fire();
  const collected = await setup.client.request<Collected>({ type: 'collect', timeoutMs: 30_000 });
  await setup.client.request({ type: 'close' });
  const latencies = collected.times.map((at) => at - startedAt).sort((a, b) => a - b);
  const delivery: Delivery = {
    subscribers: count,
    delivered: collected.times.length,
    missing: collected.missing,
    duplicates: collected.duplicates,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    lastMs: latencies[latencies.length - 1],
    connectPerSecond: connected.connected / (connected.ms / 1000),
    connectFailures: connected.failed,
    memoryPerClientKb: (after - before) / Math.max(1, connected.connected) / 1024,
    changeMs: doneAt - startedAt,
  };
  return { delivery, sample: collected.sample };
}

/** One round: the server's feed to `count` subscribers, then the plain broadcast of the same frame. */
async function round(setup: FanoutSetup, feed: string, count: number, change: Change): Promise<FanoutRound> {
  const server = await deliver(setup, 'graphql', count, change.payload, async () => {
    await setup.client.request({ type: 'arm', marker: await change.prepare() });
    const startedAt = now();
    await change.make();
    return { startedAt, doneAt: now() };
  });
  const frame = server.sample;
  if (frame === null) throw new Error(`${feed} to ${count}: no subscriber received the change`);
  const plain = await deliver(setup, 'plain', count, undefined, async () => {
    await setup.client.request({ type: 'arm', marker: await change.prepare() });
    const startedAt = now();
    await setup.plain.request({ type: 'broadcast', frame });
    return { startedAt, doneAt: now() };
  });
  const result = { feed, server: server.delivery, plain: plain.delivery };
  console.error(
    `  ${feed} x ${count}: p99 ${result.server.p99Ms.toFixed(1)} ms (plain ${result.plain.p99Ms.toFixed(1)} ms), delivered ${result.server.delivered}/${count}`,
  );
  return result;
}

/** Subscribers of the unrecorded first round: pays the one-time costs (code compiled, caches filled) before memory is measured. */
const WARM_UP_AUDIENCE = 100;

/**
 * pollResultsUpdated rounds: one vote per round, each by another member (sizes.length + 1 of them:
 * one for the warm-up), on one poll everybody may see.
 */
export async function pollFanout(setup: FanoutSetup, authorToken: string, voterTokens: string[], sizes: number[]): Promise<FanoutRound[]> {
  const input = { title: 'Bench live poll', options: ['A', 'B', 'C'], resultsVisibility: 'ALWAYS', topics: ['Cloud'] };
  const poll = (await gqlOk(setup.url, CREATE_POLL, { input }, authorToken)).createPoll.poll;
  let voter = 0;
  const nextVote = (): Change => {
    let marker = '';
    return {
      payload: { query: POLL_RESULTS_UPDATED, variables: { id: poll.id } },
      // The frame of the next version: the server's ("version":N+1 after the vote) and the plain copy of it.
      prepare: async () => {
        if (marker === '') {
          const version = (await gqlOk(setup.url, POLL_RESULTS, { id: poll.id }, authorToken)).node.results.version;
          marker = `"version":${version + 1},`;
        }
        return marker;
      },
      make: () => gqlOk(setup.url, CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[voter % 3].id] } }, voterTokens[voter++]),
    };
  };
  await round(setup, 'warm-up', WARM_UP_AUDIENCE, nextVote());
  const rounds: FanoutRound[] = [];
  for (const size of sizes) rounds.push(await round(setup, 'pollResultsUpdated', size, nextVote()));
  return rounds;
}

/** commentAdded: subscribers replay one comment (their first message), then get the new one. */
export async function commentFanout(setup: FanoutSetup, authorToken: string, size: number): Promise<FanoutRound> {
  const threadId = (
    await gqlOk(setup.url, CREATE_THREAD, { input: { title: 'Bench live thread', body: 'Watching comments.', topics: ['Cloud'] } }, authorToken)
  ).createThread.thread.id;
  for (const text of ['First comment', 'Second comment']) await gqlOk(setup.url, ADD_COMMENT, { input: { postId: threadId, body: text } }, authorToken);
  const [first] = (await gqlOk(setup.url, OLDEST_COMMENTS, { id: threadId }, authorToken)).post.comments.edges;
  const body = `Bench fan-out comment ${Date.now()}`;
  const change: Change = {
    payload: { query: COMMENT_ADDED, variables: { id: threadId, after: first.cursor } },
    prepare: async () => body,
    make: () => gqlOk(setup.url, ADD_COMMENT, { input: { postId: threadId, body } }, authorToken),
  };
  return round(setup, 'commentAdded', size, change);
}
