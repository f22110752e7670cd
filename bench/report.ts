/**
 * The bench's output: one markdown table (what | figure | baseline in the same run | ratio |
 * target) for stdout and the README, and the full figures as JSON in bench/results/.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import prettier from 'prettier';
import type { FanoutRound } from './fanout';
import type { ReadFigures, VoteFigures } from './http-measures';
import type { BenchSettings } from './settings';

export interface DatabaseFigures {
  reads: ReadFigures;
  votes: VoteFigures;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  settings: BenchSettings;
  seedMs: number;
  sqlite: DatabaseFigures;
  statementsPerPage: Record<number, number>;
  fanout: FanoutRound[];
  postgres: DatabaseFigures | null;
}

export interface Machine {
  commit: string;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function describeMachine(projectDir: string): Machine {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: projectDir, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    commit,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

const n0 = (value: number) => Math.round(value).toLocaleString('en-US');
const n1 = (value: number) => value.toFixed(1);
const ratio = (value: number) => `${value.toFixed(2)} x`;

type Row = [what: string, figure: string, baseline: string, ratio: string, target: string];

function httpRows(label: string, figures: DatabaseFigures): Row[] {
  const { reads, votes } = figures;
  const ceiling = reads.ceiling.requestsPerSecond;
  const page = (what: string, load: typeof reads.cold, target: string): Row => [
    `${label}thread page, ${what} (${n1(reads.pageKb)} KB)`,
    `${n0(load.requestsPerSecond)} req/s, p50 ${n1(load.p50Ms)} ms, p99 ${n1(load.p99Ms)} ms${load.failed ? `, ${load.failed} failed` : ''}`,
    `ceiling ${n0(ceiling)} req/s`,
    ratio(load.requestsPerSecond / ceiling),
    target,
  ];
  const rows: Row[] = [];
  if (reads.bare) {
    rows.push([
      `${label}\`{ __typename }\` through the whole server (ceiling)`,
      `${n0(ceiling)} req/s, p99 ${n1(reads.ceiling.p99Ms)} ms`,
      `bare Apollo Server \`{ hello }\` ${n0(reads.bare.requestsPerSecond)} req/s`,
      ratio(ceiling / reads.bare.requestsPerSecond),
      '>= 0.6 x bare',
    ]);
  } else {
    rows.push([`${label}\`{ __typename }\` (ceiling)`, `${n0(ceiling)} req/s, p99 ${n1(reads.ceiling.p99Ms)} ms`, '', '', '']);
  }
  rows.push(page('cold (a different thread each request)', reads.cold, '>= 0.40 x, p99 <= 40 ms'));
  rows.push(page('repeated (one unchanged thread)', reads.repeated, '>= 0.80 x'));
  rows.push([
    `${label}castVote: ${votes.votes} fresh members once each, ${votes.inFlight} in flight`,
    `${n0(votes.votesPerSecond)} votes/s, p99 ${n1(votes.p99Ms)} ms, tallies ${votes.talliesExact ? 'OK' : 'MISMATCH'}${votes.failed ? `, ${votes.failed} failed` : ''}`,
    `ceiling ${n0(ceiling)} req/s`,
    ratio(votes.votesPerSecond / ceiling),
    '>= 0.50 x, p99 <= 50 ms, exact',
  ]);
  return rows;
}

function fanoutRows(results: BenchResults): Row[] {
  const rows: Row[] = results.fanout.map(({ feed, server, plain }) => [
    `\`${feed}\` to ${n0(server.subscribers)} subscribers`,
    `p50 ${n1(server.p50Ms)} ms, p99 ${n1(server.p99Ms)} ms, last ${n1(server.lastMs)} ms, delivered ${n0(server.delivered)}/${n0(server.subscribers)}${server.duplicates ? `, ${server.duplicates} doubled` : ''} (the mutation answered in ${n1(server.changeMs)} ms)`,
    `plain \`ws\` p99 ${n1(plain.p99Ms)} ms, last ${n1(plain.lastMs)} ms`,
    ratio(server.p99Ms / plain.p99Ms),
    '<= 1.25 x plain',
  ]);
  // The largest audience runs first on fresh processes (bench/run.ts): its memory figure is the clean one.
  const largest = results.fanout.filter((round) => round.feed === 'pollResultsUpdated').sort((a, b) => b.server.subscribers - a.server.subscribers)[0];
  if (largest) {
    const { server, plain } = largest;
    rows.push([
      `server memory per idle subscriber (${n0(server.subscribers)} sockets)`,
      `${n1(server.memoryPerClientKb)} KB`,
      `plain \`ws\` ${n1(plain.memoryPerClientKb)} KB`,
      ratio(server.memoryPerClientKb / plain.memoryPerClientKb),
      '<= 20 KB',
    ]);
    rows.push([
      `subscribe rate (connect, connection_init, subscribe, first message; ${n0(server.subscribers)} sockets)`,
      `${n0(server.connectPerSecond)} subscriptions/s${server.connectFailures ? `, ${server.connectFailures} failed` : ''}`,
      `plain \`ws\` ${n0(plain.connectPerSecond)} connections/s`,
      ratio(server.connectPerSecond / plain.connectPerSecond),
      '>= 0.5 x plain',
    ]);
  }
  return rows;
}

export function markdownTable(results: BenchResults): string {
  const statements = Object.entries(results.statementsPerPage);
  const rows: Row[] = [
    ...httpRows('', results.sqlite),
    [
      `SQL statements per thread page with ${statements.map(([comments]) => comments).join(' / ')} comments`,
      statements.map(([, count]) => count).join(' / '),
      '',
      '',
      'constant',
    ],
    ...fanoutRows(results),
    ...(results.postgres ? httpRows('PostgreSQL: ', results.postgres) : []),
  ];
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    '| what | figure | baseline in the same run | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** Writes the figures as JSON, formatted as `npm run lint` (prettier --check bench) wants a committed file. */
export async function writeResults(results: BenchResults): Promise<string> {
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(JSON.stringify(results), { ...options, filepath: file }));
  return file;
}
