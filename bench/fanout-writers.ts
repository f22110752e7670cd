/**
 * The fan-out's write loop alone, in one process, no sockets: N subscribers' queues and
 * FrameWriters over one CohortPayloads, one item pushed to all of them, and the time from the
 * first push to the N-th frame handed to its socket. The cohort's execution is asynchronous, as
 * TypeGraphQL's resolvers make it. Figures of the server's own CPU path between deliver() and
 * ws, free of the client process and of the network: run it on two checkouts to compare them.
 *
 *   npm run build && node dist/bench/fanout-writers.js [subscribers]
 */
import { buildSchema, GraphQLObjectType, parse } from 'graphql';
import { CohortPayloads, LiveOperation } from '../src/realtime/cohort-payloads';
import { FrameSocket, FrameWriter } from '../src/realtime/frame-writer';
import { LiveQueue } from '../src/realtime/live-queue';

const SUBSCRIBERS = Number(process.argv[2] ?? 10_000);
const ROUNDS = 25;
const WARM_UP = 5;

const schema = buildSchema('type Results { version: Int totalVotes: Int voteCounts: [Int] } type Query { results: Results }');
(schema.getQueryType() as GraphQLObjectType).getFields().results.resolve = async (root: unknown) => root;
const operation: LiveOperation = {
  schema,
  document: parse('{ results { version totalVotes voteCounts } }'),
  operationName: null,
  variableValues: null,
  key: 'k',
};
const scopeFor = () => ({ contextValue: {}, viewerKey: 'anonymous', dependsOnViewer: () => false });

/** One change to every subscriber: ms until the pushes returned, and until the last frame was handed over. */
async function round(): Promise<{ pushMs: number; lastFrameMs: number }> {
  const payloads = new CohortPayloads();
  let sent = 0;
  let allSent: () => void = () => {};
  const done = new Promise<void>((resolve) => (allSent = resolve));
  const socket: FrameSocket = {
    send: (_frame, written) => {
      if (++sent === SUBSCRIBERS) allSent();
      setImmediate(written);
    },
  };
  const queues = Array.from({ length: SUBSCRIBERS }, (_, i) => {
    const queue = new LiveQueue<object>({ kind: 'latest' }, () => {}, undefined, undefined, payloads);
    void new FrameWriter(queue, scopeFor, operation, String(i), socket, () => ({})).next();
    return queue;
  });
  await new Promise((resolve) => setImmediate(resolve));
  const item = { version: 1, totalVotes: 5, voteCounts: [1, 2, 2] };
  const started = performance.now();
  for (const queue of queues) queue.push(item);
  const pushed = performance.now();
  await done;
  const lastFrameMs = performance.now() - started;
  for (const queue of queues) void queue.return();
  return { pushMs: pushed - started, lastFrameMs };
}

async function main(): Promise<void> {
  const rounds: Array<{ pushMs: number; lastFrameMs: number }> = [];
  for (let i = 0; i < WARM_UP + ROUNDS; i++) rounds.push(await round());
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const measured = rounds.slice(WARM_UP);
  console.log(
    `${SUBSCRIBERS} writers: last frame after ${median(measured.map((r) => r.lastFrameMs)).toFixed(2)} ms (median of ${ROUNDS}), ` +
      `pushes returned after ${median(measured.map((r) => r.pushMs)).toFixed(2)} ms`,
  );
}

void main();
