/**
 * `npm run bench`: builds, then measures the server as `npm start` runs it (a child process in
 * production mode on a fresh, generated SQLite database) against baselines run in the same
 * session: a bare Apollo Server beside the `{ __typename }` ceiling, and a plain `ws` broadcast
 * server beside every fan-out. Prints a markdown table and writes bench/results/<time>.json.
 * See README.md, "Performance", for what each figure means and the knobs (bench/settings.ts).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signUpMembers } from './api';
import { commentFanout, FanoutRound, pollFanout } from './fanout';
import { measureReads, measureVotes } from './http-measures';
import { createScratchDatabase } from './postgres';
import { freePort, Helper, startHelper, startServer, stopAll } from './processes';
import { BenchResults, DatabaseFigures, describeMachine, markdownTable, writeResults } from './report';
import { seedDatabase, SeededCommunity } from './seed';
import { BenchSettings, readSettings } from './settings';
import { measureStatements } from './statements';

const PROJECT_DIR = path.join(__dirname, '..', '..');

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date().toISOString();
  const machine = describeMachine(PROJECT_DIR);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-bench-'));
  try {
    const file = path.join(dir, 'bench.sqlite');
    log(`seeding ${settings.members} members and ${settings.threads} threads on top of the demo community`);
    const seedStarted = Date.now();
    const community = await seedDatabase({ type: 'sqlite', path: file }, settings);
    const seedMs = Date.now() - seedStarted;
    log('statements per thread page (in-process server with the statement probe)');
    const statementsPerPage = await measureStatements(file, community.threadIdByCommentCount);
    const bare = await startHelper('bare-apollo.js');
    const { figures: sqlite, fanout } = await measureSqlite(settings, `sqlite:${file}`, community, `http://127.0.0.1:${bare.hello.port}`);
    await bare.stop();
    const postgres = settings.databaseUrl ? await measurePostgres(settings) : null;
    machine.loadAverageAtEnd = os.loadavg().map((load) => Math.round(load * 100) / 100);
    const results: BenchResults = { startedAt, finishedAt: new Date().toISOString(), machine, settings, seedMs, sqlite, statementsPerPage, fanout, postgres };
    const written = await writeResults(results);
    console.log(markdownTable(results));
    console.log(
      `\n${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb} GB, load average ${machine.loadAverageAtStart.join(' ')} at start; ` +
        `Node ${machine.node}, commit ${machine.commit}. The load generator and the client process share the machine.\nFigures: ${path.relative(PROJECT_DIR, written)}`,
    );
  } finally {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureSqlite(settings: BenchSettings, databaseUrl: string, community: SeededCommunity, bareUrl: string) {
  const loaded = await startServer(PROJECT_DIR, databaseUrl, await freePort());
  log('signing up the bench members');
  const [author] = await signUpMembers(loaded.url, 1, 'author');
  const fanoutVoters = await signUpMembers(loaded.url, settings.fanoutSizes.length + 1, 'fanout');
  const figures = await measureHttp(settings, loaded.url, author, community, bareUrl);
  // A fresh server process for the fan-out: memory the loads left behind would hide what subscribers cost.
  await loaded.stop();
  const server = await startServer(PROJECT_DIR, databaseUrl, await freePort());
  log('fan-out');
  const client = await startHelper('fanout-client.js');
  const plain = await startHelper('plain-ws-server.js');
  const setup = {
    url: server.url,
    serverPid: server.pid,
    client,
    plain,
    plainPid: plain.child.pid as number,
    inFlight: settings.connectInFlight,
    settleMs: settings.settleMs,
  };
  // Largest audience first, on processes that never held more sockets: freed memory a process
  // keeps (resident, reused later) would make a later, larger round look cheaper than it is.
  const sizes = [...settings.fanoutSizes].sort((a, b) => b - a);
  const fanout: FanoutRound[] = await pollFanout(setup, author, fanoutVoters, sizes);
  fanout.push(await commentFanout(setup, author, settings.commentFanoutSize));
  await Promise.all([client, plain].map((helper: Helper) => helper.stop()));
  await server.stop();
  return { figures, fanout };
}

/** The alternating HTTP loads and the vote burst against one running server. */
async function measureHttp(settings: BenchSettings, url: string, token: string, community: SeededCommunity, bareUrl: string | null): Promise<DatabaseFigures> {
  // Signed up before any load, their tokens unused until the burst: every token is new to the server then.
  const voters = await signUpMembers(url, settings.voters, 'voter');
  log(`loads: ${settings.rounds} alternating rounds of ${settings.durationS} s, ${settings.connections} connections`);
  const reads = await measureReads({
    url,
    bareUrl,
    token,
    threadIds: community.threadIds,
    popularThreadId: community.popularThreadId,
    rounds: settings.rounds,
    connections: settings.connections,
    durationS: settings.durationS,
    warmupS: settings.warmupS,
  });
  log(`castVote burst: ${voters.length} members`);
  const votes = await measureVotes(url, token, voters, settings.connections);
  return { reads, votes };
}

async function measurePostgres(settings: BenchSettings): Promise<DatabaseFigures> {
  const scratch = await createScratchDatabase(settings.databaseUrl as string);
  try {
    log('PostgreSQL: seeding a fresh database');
    const community = await seedDatabase({ type: 'postgres', url: scratch.url, poolSize: 10 }, settings);
    const server = await startServer(PROJECT_DIR, scratch.url, await freePort());
    try {
      const [author] = await signUpMembers(server.url, 1, 'pg-author');
      return await measureHttp(settings, server.url, author, community, null);
    } finally {
      await server.stop();
    }
  } finally {
    await scratch.drop();
  }
}

function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

main().catch(async (error) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
