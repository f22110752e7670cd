/**
 * The HTTP figures: the `{ __typename }` ceiling beside a bare Apollo Server `{ hello }`, the
 * thread page (cold: a different thread each request; repeated: one unchanged thread), and a
 * burst of castVote by freshly signed-up members with the tallies checked afterwards.
 */
import { toGlobalId } from '../src/graphql/global-id';
import { gql, gqlOk } from './api';
import { CAST_VOTE, CREATE_POLL, HELLO, POLL_RESULTS, THREAD_PAGE, TYPENAME } from './documents';
import { alternate, Load, LoadResult, median, runLoad } from './http-load';

export interface ReadFigures {
  /** Null where no bare Apollo Server ran beside (the PostgreSQL pass: the SQLite pass has it). */
  bare: LoadResult | null;
  ceiling: LoadResult;
  cold: LoadResult;
  repeated: LoadResult;
  pageKb: number;
  rounds: Record<string, LoadResult[]>;
}

export interface ReadSetup {
  url: string;
  bareUrl: string | null;
  token: string;
  threadIds: number[];
  popularThreadId: number;
  rounds: number;
  connections: number;
  durationS: number;
  warmupS: number;
}

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

export async function measureReads(setup: ReadSetup): Promise<ReadFigures> {
  const threadIds = setup.threadIds.map((id) => toGlobalId('Thread', id));
  const popular = toGlobalId('Thread', setup.popularThreadId);
  // One page read outside the load, to check it answers without errors and to weigh it.
  const page = await gql(setup.url, THREAD_PAGE, { id: popular }, setup.token);
  if (page.errors || !page.data?.post) throw new Error(`thread page failed: ${JSON.stringify(page.errors)}`);
  const pageKb = Buffer.byteLength(JSON.stringify(page)) / 1024;
  let cursor = 0;
  const loads: Load[] = [
    ...(setup.bareUrl ? [{ name: 'bare', url: setup.bareUrl, next: { body: body(HELLO), token: setup.token } }] : []),
    // The ceiling and the cold page are executed every time (Cache-Control: no-cache); the repeated page may come from the response cache.
    { name: 'ceiling', url: setup.url, next: { body: body(TYPENAME), token: setup.token, fresh: true } },
    {
      name: 'cold',
      url: setup.url,
      next: () => ({ body: body(THREAD_PAGE, { id: threadIds[cursor++ % threadIds.length] }), token: setup.token, fresh: true }),
    },
    { name: 'repeated', url: setup.url, next: { body: body(THREAD_PAGE, { id: popular }), token: setup.token } },
  ];
  const rounds = await alternate(loads, setup.rounds, setup.connections, setup.durationS, setup.warmupS);
  const pick = (name: string) => median(rounds.get(name) ?? []);
  return {
    bare: setup.bareUrl ? pick('bare') : null,
    ceiling: pick('ceiling'),
    cold: pick('cold'),
    repeated: pick('repeated'),
    pageKb,
    rounds: Object.fromEntries(rounds),
  };
}

export interface VoteFigures {
  votes: number;
  inFlight: number;
  votesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  talliesExact: boolean;
  tallies: { expected: number[]; actual: number[]; participants: number };
}

/** `voters` vote once each on a new poll, `connections` in flight; voter i chooses option i % 3. */
export async function measureVotes(url: string, authorToken: string, voters: string[], connections: number): Promise<VoteFigures> {
  const poll = (await gqlOk(url, CREATE_POLL, { input: { title: 'Bench burst poll', options: ['A', 'B', 'C'], topics: ['Cloud'] } }, authorToken)).createPoll
    .poll;
  const optionIds: string[] = poll.options.map((option: { id: string }) => option.id);
  let next = 0;
  const load: Load = {
    name: 'castVote',
    url,
    next: () => {
      // Past the last voter (autocannon may prepare one request more than it sends) the last one
      // repeats its own choice: a no-op for the tallies.
      const index = Math.min(next++, voters.length - 1);
      return { body: body(CAST_VOTE, { input: { pollId: poll.id, optionIds: [optionIds[index % 3]] } }), token: voters[index] };
    },
  };
  const inFlight = Math.min(connections, voters.length); // autocannon refuses more connections than requests
  const result = await runLoad(load, inFlight, { amount: voters.length });
  const results = (await gqlOk(url, POLL_RESULTS, { id: poll.id }, authorToken)).node.results;
  const expected = optionIds.map((_, option) => voters.filter((_, i) => i % 3 === option).length);
  const actual: number[] = results.options.map((option: { voteCount: number }) => option.voteCount);
  return {
    votes: voters.length,
    inFlight,
    votesPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    failed: result.failed,
    talliesExact: results.participantCount === voters.length && expected.every((count, i) => count === actual[i]),
    tallies: { expected, actual, participants: results.participantCount },
  };
}
