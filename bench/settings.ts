/**
 * The knobs of `npm run bench`, read from the environment once. BENCH_QUICK=1 shrinks everything
 * to a smoke run of a minute or two; each figure below can also be set on its own.
 */
export interface BenchSettings {
  quick: boolean;
  /** Generated members on top of the demo community. */
  members: number;
  /** Generated threads: the "cold" thread page rotates over all of them. */
  threads: number;
  /** HTTP connections of every load. */
  connections: number;
  /** Seconds per load run, and how many alternating rounds of them. */
  durationS: number;
  rounds: number;
  /** Seconds of unmeasured load on each target first. */
  warmupS: number;
  /** Freshly signed-up members in the castVote burst. */
  voters: number;
  /** Audiences of pollResultsUpdated, and of commentAdded. */
  fanoutSizes: number[];
  commentFanoutSize: number;
  /** Sockets connecting at once while an audience connects. */
  connectInFlight: number;
  /** Pause before reading a process's memory, so that it settles. */
  settleMs: number;
  /** PostgreSQL server to repeat the thread page and votes on (a fresh database is created and dropped). */
  databaseUrl: string | null;
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive whole number, got "${raw}"`);
  return value;
}

export function readSettings(): BenchSettings {
  const quick = process.env.BENCH_QUICK === '1';
  const sizes = process.env.BENCH_FANOUT_SIZES ?? (quick ? '500,1000' : '1000,5000,10000');
  return {
    quick,
    members: int('BENCH_MEMBERS', quick ? 500 : 2000),
    threads: Math.max(200, int('BENCH_THREADS', 300)),
    connections: int('BENCH_CONNECTIONS', 50),
    durationS: int('BENCH_DURATION_S', quick ? 3 : 5),
    rounds: int('BENCH_ROUNDS', quick ? 1 : 3),
    warmupS: int('BENCH_WARMUP_S', 2),
    voters: int('BENCH_VOTERS', quick ? 100 : 300),
    fanoutSizes: sizes.split(',').map((size) => Number(size.trim())),
    commentFanoutSize: int('BENCH_COMMENT_FANOUT', quick ? 500 : 1000),
    connectInFlight: int('BENCH_CONNECT_IN_FLIGHT', 100),
    settleMs: int('BENCH_SETTLE_MS', quick ? 1000 : 2000),
    databaseUrl: process.env.BENCH_DATABASE_URL?.trim() || null,
  };
}
