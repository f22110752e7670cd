/**
 * Helpers of the scale-out suites: a real PostgreSQL server and a real Redis.
 *
 * They use SCALE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
 * and SCALE_REDIS_URL (default redis://127.0.0.1:6379). When a server is not
 * reachable, the suite is skipped with a visible line saying why, except in
 * CI (CI=true), where that is a failure: CI always runs them
 * (see describeWithScaleServers).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { onDispose } from './leftovers';
import type { Document } from './documents';
import { adminQuery, GENEROUS_RATE_LIMITS, ResponseError } from './server';

export const SCALE_DATABASE_URL = process.env.SCALE_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const SCALE_REDIS_URL = process.env.SCALE_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether something accepts TCP connections at `url`'s host and port. */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const defaultPort = url.startsWith('redis') ? 6379 : 5432;
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || defaultPort), hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether something accepts TCP connections at `url`'s host and port (checked synchronously, so a suite can choose describe or describe.skip). */
function reachableSync(url: string): boolean {
  const { hostname, port } = new URL(url);
  const target = { host: hostname, port: Number(port || (url.startsWith('redis') ? 6379 : 5432)) };
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const s=require('net').connect(${JSON.stringify(target)});s.setTimeout(1500,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`,
    ],
    { timeout: 5000 },
  );
  return probe.status === 0;
}

/**
 * `describe` when PostgreSQL and Redis are reachable; otherwise, outside CI,
 * `describe.skip` with a visible line saying why. In CI (CI=true) a missing
 * server is a failure: CI always runs these suites.
 */
export function describeWithScaleServers(suite: string, needs: { needsRedisServerBinary?: boolean } = {}): jest.Describe {
  const pg = reachableSync(SCALE_DATABASE_URL);
  const redis = reachableSync(SCALE_REDIS_URL);
  // Suites that stop and restart a Redis of their own need the redis-server program too.
  const binary = !needs.needsRedisServerBinary || spawnSync('redis-server', ['--version']).status === 0;
  if (pg && redis && binary) return describe;
  const missing = [!pg && `PostgreSQL at ${SCALE_DATABASE_URL}`, !redis && `Redis at ${SCALE_REDIS_URL}`, !binary && 'the redis-server program']
    .filter(Boolean)
    .join(' and ');
  if (process.env.CI) throw new Error(`${suite}: ${missing} not available, and CI must run this suite (see .ci/run)`);
  process.stdout.write(`\n  SKIPPED ${suite}: ${missing} not available (set SCALE_DATABASE_URL / SCALE_REDIS_URL, or run .ci/run)\n\n`);
  return describe.skip;
}

const admin = (sql: string) => adminQuery(SCALE_DATABASE_URL, sql);

/** A fresh, empty PostgreSQL database for one suite; `drop` removes it (the dispose list drops it too). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `scale_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(SCALE_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: onDispose(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  url: string;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** Starts the compiled server (as `npm start` does) and resolves once it listens (the dispose list stops it); `where` runs another copy or from another directory. */
export function spawnServer(env: Record<string, string>, where: { main?: string; cwd?: string } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [where.main ?? MAIN], {
    cwd: where.cwd,
    // The generous rate limits of every test server (see GENEROUS_RATE_LIMITS), unless `env` sets others.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DEMO_DATA: '0', ...GENEROUS_RATE_LIMITS, ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Also when it never listened: a process that failed to start must not outlive the test.
  onDispose(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen within 30 s:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening at http:\/\/[^:]+:(\d+)\/graphql/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      const baseUrl = `http://127.0.0.1:${match[1]}`;
      resolve({
        child,
        baseUrl,
        url: `${baseUrl}/graphql`,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

export interface RedisProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A Redis server of the test's own on a spare port (redis-server from the machine), to stop and restart; the dispose list stops it. */
export async function ownRedis(): Promise<RedisProcess> {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  let child: ChildProcess | null = null;
  const start = async () => {
    let failure: Error | null = null;
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child.once('error', (error) => (failure = error));
    const deadline = Date.now() + 10_000;
    while (!(await reachable(`redis://127.0.0.1:${port}`))) {
      if (failure) throw new Error(`could not start redis-server: ${(failure as Error).message}`);
      if (Date.now() > deadline) throw new Error('own redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  onDispose(stop);
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

/** Posts `query` to a spawned server; its response `data` has the shape `T` (`typed<T>()` documents infer it). */
export async function gqlTo<T>(
  server: { url: string },
  query: string | Document<T>,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: T; errors?: ResponseError[] }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: ResponseError[] };
}
