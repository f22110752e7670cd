/**
 * Starts a real server on an ephemeral port with a fresh SQLite file, and
 * talks GraphQL to it over HTTP. Every server goes on the dispose list
 * (./leftovers): tests never stop one unless stopping is what they test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { RunningServer, startServerWithProbe, TestProbe } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/logger';
import { Document, SIGN_UP } from './documents';
import { onDispose } from './leftovers';

/** One error of a response (HTTP or WebSocket): the server's formatError gives every error a code. */
export interface ResponseError {
  message: string;
  path?: Array<string | number>;
  locations?: Array<{ line: number; column: number }>;
  extensions: { code: string; [key: string]: unknown };
}

export interface GraphQLResponse<T = unknown> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: ResponseError[];
  /** The response's own extensions (e.g. cost). */
  extensions?: Record<string, unknown>;
}

export interface TestServer {
  server: RunningServer;
  /** Handles into the server for assertions (statement counts, feed sizes, the unit of work). */
  probe: TestProbe;
  url: string;
  baseUrl: string;
  /** POSTs one operation; `token` goes in Authorization: Bearer. A typed document (./documents) types the response. */
  gql<T>(query: Document<T>, variables?: Record<string, unknown>, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** An untyped document: `data` is `any` unless `T` is given (prefer a typed document in ./documents). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped fallback, kept for documents written inline
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Signs up a fresh member and returns its token and global id. */
  signUp(overrides?: Partial<{ email: string; title: string; industry: string | null; companySize: string }>): Promise<{ token: string; id: string }>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Rate limits of every test server unless a test sets its own: the suites sign up hundreds of
 * members and write a lot, all from 127.0.0.1, far past the production defaults (30 signUps per
 * hour per address...). Generous rather than off, so every request still passes through the
 * limiters; test/rate-limits*.test.ts set small ones.
 */
export const GENEROUS_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_LOGIN_FAILURES: '1000000',
  RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
  RATE_LIMIT_SIGNUPS_PER_HOUR: '10000000',
  RATE_LIMIT_SUBSCRIBES_PER_CONNECTION: '10000000',
};

/**
 * The database of one test server: a fresh SQLite file, or, when
 * TEST_DATABASE_URL points at PostgreSQL, a fresh database created on that
 * server and dropped afterwards (the whole suite then runs on PostgreSQL).
 */
async function freshDatabase(dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return { url: `sqlite:${path.join(dir, 'test.sqlite')}`, drop: async () => {} };
  const name = `test_${process.pid}_${++databases}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

let databases = 0;

/** Runs one statement as the PostgreSQL administrator at `url` (creating and dropping test databases). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startTestServer(
  options: {
    demo?: boolean;
    env?: Record<string, string>;
    /** Rewrites the database URL (e.g. through a proxy). */
    databaseUrl?: (url: string) => string;
    /** A DATABASE_URL used as it is, kept after stop (to restart a server on the same database). */
    database?: string;
    /** The server's logger (test/helpers/logs.ts captureLogs reads its lines back); default: LOG_LEVEL's, silent in tests. */
    logger?: Logger;
  } = {},
): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-test-'));
  const database = options.database ? { url: options.database, drop: async () => {} } : await freshDatabase(dir);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl ? options.databaseUrl(database.url) : database.url,
    // With TEST_REDIS_URL the live events travel through Redis even with one server.
    ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    DEMO_DATA: options.demo ? '1' : '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    ...GENEROUS_RATE_LIMITS,
    ...options.env,
  });
  let server: RunningServer;
  let probe: TestProbe;
  try {
    ({ server, probe } = await startServerWithProbe(config, { logger: options.logger }));
  } catch (error) {
    await database.drop();
    throw error;
  }
  const url = `http://127.0.0.1:${server.port}/graphql`;

  const gql: TestServer['gql'] = async <T>(query: string, variables?: Record<string, unknown>, token?: string | null, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: ResponseError[]; extensions?: Record<string, unknown> };
    return { status: response.status, headers: response.headers, data: body.data ?? undefined, errors: body.errors, extensions: body.extensions };
  };

  const signUp: TestServer['signUp'] = async (overrides = {}) => {
    counter += 1;
    const result = await gql(SIGN_UP, {
      input: {
        email: overrides.email ?? `member${counter}-${process.pid}@example.test`,
        password: 'correct horse battery',
        title: overrides.title ?? 'Director of IT',
        industry: overrides.industry === undefined ? 'Software' : overrides.industry,
        companySize: overrides.companySize ?? 'EMPLOYEES_201_TO_500',
      },
    });
    if (!result.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(result.errors)}`);
    return { token: result.data.signUp.token, id: result.data.signUp.member.id };
  };

  let stopped: Promise<void> | null = null;
  // Idempotent: a test may stop its server on purpose, and the dispose list stops it again.
  const stop = () =>
    (stopped ??= (async () => {
      await server.stop();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    })());
  onDispose(stop);

  return { server, probe, url, baseUrl: `http://127.0.0.1:${server.port}`, gql, signUp, stop };
}

/** The codes of a response's errors, for asserting on codes rather than messages. */
export function codesOf(response: GraphQLResponse): string[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

/**
 * Whether a captured SQL text is the poll-closing scheduler's look for due polls: it runs on its own
 * timer (woken by any write) and may land inside a request's capture window, so statement counts of
 * one request leave it out. SQLite binds `?`, PostgreSQL `$n`.
 */
export function isSchedulerLookup(text: string): boolean {
  return /"closes_at" <= (\?|\$\d+)/.test(text) && !text.startsWith('UPDATE');
}
