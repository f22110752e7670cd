/**
 * Live fan-out benchmark: what one change costs as the audience grows.
 *
 *   npm run build && node dist/bench/live-fanout.js
 *
 * For 1 (the baseline), 50 and 200 subscribers of one poll, casts VOTES votes
 * from different members at once and reports: SQL statements per vote beyond
 * the mutation itself, time until every subscriber holds the final version,
 * messages per subscriber (conflation), and ratios against the baseline
 * measured in the same run. Figures, not assertions: machines here are shared.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServerWithProbe } from '../src/app';
import { loadConfig } from '../src/config';

const VOTES = Number(process.env.BENCH_VOTES ?? 100);
const AUDIENCES = [1, 50, 200];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-bench-'));
  const { server, probe } = await startServerWithProbe(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      DEMO_DATA: '0',
      LOG_LEVEL: 'error',
      // The benchmark signs up hundreds of members from one address (127.0.0.1): it measures fan-out, not sign-up limits.
      RATE_LIMIT_SIGNUPS_PER_HOUR: '0',
    }),
  );
  const http = `http://127.0.0.1:${server.port}/graphql`;
  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) =>
    (await (
      await fetch(http, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as any;

  const tokens: string[] = [];
  for (let i = 0; i < VOTES * AUDIENCES.length + 1; i++) {
    const result = await gql(`mutation ($i: SignUpInput!) { signUp(input: $i) { token } }`, {
      i: { email: `bench${i}@example.test`, password: 'benchmark password', title: 'CTO', companySize: 'EMPLOYEES_11_TO_50' },
    });
    tokens.push(result.data.signUp.token);
  }

  const rows: Array<{ subscribers: number; statementsPerVote: number; settleMs: number; messagesPerSubscriber: number }> = [];
  let voter = 1;
  for (const audience of AUDIENCES) {
    const poll = (await gql(`mutation { createPoll(input: { title: "Bench", options: ["A", "B", "C"] }) { poll { id options { id } } } }`, {}, tokens[0])).data
      .createPoll.poll;
    // One socket per 50 subscribers, well inside the per-connection cap, like dashboards on several screens.
    const clients = Array.from({ length: Math.ceil(audience / 50) }, () =>
      createClient({ url: http.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 }),
    );
    const latest: number[] = new Array(audience).fill(-1);
    const counts: number[] = new Array(audience).fill(0);
    let settledAt = 0;
    let onSettled: () => void = () => {};
    const settled = new Promise<void>((resolve) => (onSettled = resolve));
    await Promise.all(
      Array.from(
        { length: audience },
        (_, i) =>
          new Promise<void>((ready) => {
            clients[Math.floor(i / 50)].subscribe(
              {
                query: `subscription ($id: ID!) { pollResultsUpdated(pollId: $id) { version totalVotes options { voteCount percentage } } }`,
                variables: { id: poll.id },
              },
              {
                next: ({ data }: any) => {
                  counts[i]++;
                  latest[i] = data.pollResultsUpdated.version;
                  if (counts[i] === 1) ready();
                  if (latest.every((v) => v === VOTES)) {
                    settledAt = Date.now();
                    onSettled();
                  }
                },
                error: (e) => console.error(e),
                complete: () => {},
              },
            );
          }),
      ),
    );
    counts.fill(0);

    // Statements of the votes alone, to subtract: the same mutation shape costs the same.
    probe.queryLog.captured = [];
    const started = Date.now();
    const votes = Array.from({ length: VOTES }, () => tokens[voter++]);
    await Promise.all(
      votes.map((token, i) =>
        gql(`mutation ($i: CastVoteInput!) { castVote(input: $i) { poll { id } } }`, { i: { pollId: poll.id, optionIds: [poll.options[i % 3].id] } }, token),
      ),
    );
    await settled;
    await new Promise((resolve) => setTimeout(resolve, 300)); // let trailing flushes land in the count
    const statements = probe.queryLog.captured.length;
    probe.queryLog.captured = null;
    rows.push({
      subscribers: audience,
      statementsPerVote: statements / VOTES,
      settleMs: settledAt - started,
      messagesPerSubscriber: counts.reduce((a, b) => a + b, 0) / audience,
    });
    await Promise.all(clients.map((client) => client.dispose()));
  }
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });

  const base = rows[0];
  console.log(`live fan-out: ${VOTES} concurrent votes on one poll (statements include the votes themselves)`);
  console.log('subscribers  statements/vote  (x base)  settle ms  (x base)  messages/subscriber');
  for (const row of rows) {
    console.log(
      `${String(row.subscribers).padStart(11)}  ${row.statementsPerVote.toFixed(2).padStart(15)}  ${(row.statementsPerVote / base.statementsPerVote).toFixed(2).padStart(8)}` +
        `  ${String(row.settleMs).padStart(9)}  ${(row.settleMs / base.settleMs).toFixed(2).padStart(8)}  ${row.messagesPerSubscriber.toFixed(1).padStart(19)}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
