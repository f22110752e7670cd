/**
 * HTTP load with autocannon, from the bench process itself: the load generator shares the
 * machine with the server under test, so absolute figures are lower than on separate machines;
 * ratios between loads alternated within one run are what the bench reports.
 */
import autocannon from 'autocannon';
import os from 'node:os';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses that were not 2xx, carried GraphQL errors, or never came (connection errors, timeouts). */
  failed: number;
  bytesPerResponse: number;
  /** The machine's 1-minute load average when the run ended (other work shares it). */
  loadAverage: number;
}

export interface Load {
  name: string;
  url: string;
  /** Each request's body and bearer token: a constant, or a function called once per request. */
  next: (() => LoadRequest) | LoadRequest;
}

export interface LoadRequest {
  body: string;
  token?: string;
  /** Cache-Control: no-cache: the server executes the query instead of answering from its response cache. */
  fresh?: boolean;
}

export async function runLoad(load: Load, connections: number, options: { durationS?: number; amount?: number }): Promise<LoadResult> {
  let graphqlErrors = 0;
  let bytes = 0;
  let responses = 0;
  const next = typeof load.next === 'function' ? load.next : () => load.next as LoadRequest;
  const startedAt = performance.now();
  let firstSentAt: number | null = null;
  let lastAnsweredAt = startedAt;
  const result = await autocannon({
    url: `${load.url}/graphql`,
    connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          firstSentAt ??= performance.now();
          const { body, token, fresh } = next();
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(fresh ? { 'cache-control': 'no-cache' } : {}),
          };
          return { ...request, headers, body };
        },
        onResponse: (_status, body) => {
          lastAnsweredAt = performance.now();
          responses++;
          bytes += Buffer.byteLength(body);
          // A GraphQL error comes back with status 200 too: count it as a failure, not as throughput.
          if (body.includes('"errors":')) graphqlErrors++;
        },
      },
    ],
  });
  // autocannon reports the duration in whole seconds, and resolves a fixed amount only at its next
  // one-second tick: a fixed amount (300 votes in about a second) is timed from the first request
  // to the last answer instead (timing until the promise resolved read 149 votes/s for a burst
  // whose p99 was 215 ms with 50 in flight, which Little's law puts above 230 votes/s).
  const seconds = options.amount !== undefined ? (lastAnsweredAt - (firstSentAt ?? startedAt)) / 1000 : result.duration;
  return {
    requestsPerSecond: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failed: result.non2xx + result.errors + graphqlErrors,
    bytesPerResponse: responses > 0 ? bytes / responses : 0,
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** After a warm-up of each, runs the loads one after another, `rounds` times over, so that drift on a noisy machine hits each alike; keeps every round. */
export async function alternate(loads: Load[], rounds: number, connections: number, durationS: number, warmupS: number): Promise<Map<string, LoadResult[]>> {
  const results = new Map<string, LoadResult[]>(loads.map((load) => [load.name, []]));
  // Unmeasured first: the JIT and the servers' caches warm up (a cold bare Apollo Server measured a third of its warm rate).
  for (const load of loads) await runLoad(load, connections, { durationS: warmupS });
  for (let round = 0; round < rounds; round++) {
    for (const load of loads) {
      const result = await runLoad(load, connections, { durationS });
      results.get(load.name)?.push(result);
      console.error(
        `  round ${round + 1}/${rounds} ${load.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms} ms, failed ${result.failed}`,
      );
    }
  }
  return results;
}

/** The round with the median throughput (its own latencies kept with it). */
export function median(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}
