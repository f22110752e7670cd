/**
 * Structured JSON logs as an operator reads them: one `info` line per
 * operation (name, type, duration, outcome, error codes) carrying the
 * request id the client got in `x-request-id` (HTTP) or the operation's id
 * (WebSocket); a masked error's line carries it too, with the driver's code
 * and statement; LOG_LEVEL=silent writes nothing; and errors of the `ws`
 * library (an oversized frame) are one JSON line, never a stack trace.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { toGlobalId } from '../src/graphql/global-id';
import { captureLogs, LogLine } from './helpers/logs';
import { collect, connect } from './helpers/live';
import { codesOf, startTestServer, TestServer } from './helpers/server';

const MAIN = path.join(__dirname, '..', 'dist', 'src', 'main.js');
const CREATE_THREAD = `mutation CreateThread($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`;
const POST_STATS = `subscription WatchStats($postId: ID!) { postStatsUpdated(postId: $postId) { id viewCount } }`;

const operationLine = (line: LogLine) => line.message === 'graphql operation';

describe('log lines over HTTP', () => {
  const logs = captureLogs('info');
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ logger: logs.logger });
  });
  afterAll(() => t.stop());

  it('writes one info line per operation under the request id returned in x-request-id', async () => {
    const result = await t.gql(`query LogTopics { topics { slug } }`);
    expect(result.errors).toBeUndefined();
    const requestId = result.headers.get('x-request-id')!;
    const line = await logs.waitFor((entry) => operationLine(entry) && entry.requestId === requestId);
    expect(line).toMatchObject({ level: 'info', transport: 'http', operation: 'LogTopics', type: 'query', outcome: 'ok' });
    expect(typeof line.durationMs).toBe('number');
    expect(line.errorCodes).toBeUndefined();
    expect(new Date(line.time).toISOString()).toBe(line.time);
    expect(logs.forRequest(requestId).filter(operationLine)).toHaveLength(1);
  });

  it('keeps a well-formed id the client sent, and lists the error codes of a failed operation', async () => {
    const result = await t.gql(`query LogTooMany { posts(first: 1000) { totalCount } }`, {}, null, { 'x-request-id': 'client-chosen-7' });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.headers.get('x-request-id')).toBe('client-chosen-7');
    const line = await logs.waitFor((entry) => operationLine(entry) && entry.requestId === 'client-chosen-7');
    expect(line).toMatchObject({ operation: 'LogTooMany', outcome: 'error', errorCodes: ['BAD_USER_INPUT'] });
  });

  it('logs a request the HTTP shell refuses before any operation (an oversized or malformed body) under its id', async () => {
    const tooLarge = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'too-large-1' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(200 * 1024) } }),
    });
    expect(tooLarge.status).toBe(413);
    expect(await logs.waitFor((entry) => entry.requestId === 'too-large-1')).toMatchObject({
      level: 'info',
      message: 'request refused',
      status: 413,
      code: 'BAD_REQUEST',
    });
    const malformed = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'malformed-1' }, body: '{"query":' });
    expect(malformed.status).toBe(400);
    expect(await logs.waitFor((entry) => entry.requestId === 'malformed-1')).toMatchObject({ message: 'request refused', status: 400, code: 'BAD_REQUEST' });
  });

  it('logs a request refused for its token (no operation ran) under its id', async () => {
    const result = await t.gql(`{ topics { slug } }`, {}, 'not-a-valid-token-at-all-0000000000');
    expect(result.status).toBe(401);
    const requestId = result.headers.get('x-request-id')!;
    const line = await logs.waitFor((entry) => entry.requestId === requestId);
    expect(line).toMatchObject({ level: 'info', message: 'request refused', code: 'UNAUTHENTICATED' });
  });
});

describe('log lines of a masked error', () => {
  const logs = captureLogs('info');
  let broken: TestServer;
  beforeAll(async () => {
    broken = await startTestServer({ logger: logs.logger });
    // A table vanishes behind the server's back: its queries now fail inside the driver.
    await broken.probe.db.write(({ manager }) => manager.query('DROP TABLE "topics"'));
  });
  afterAll(() => broken.stop());

  it('logs the full error (code, statement) and the operation line under the id the client quotes', async () => {
    const result = await broken.gql(`query BrokenTopics { topics { slug } }`);
    expect(codesOf(result)).toEqual(['INTERNAL_SERVER_ERROR']);
    const requestId = result.errors![0].extensions!.requestId;
    expect(requestId).toBe(result.headers.get('x-request-id'));
    const failure = await logs.waitFor((entry) => entry.level === 'error' && entry.requestId === requestId);
    expect(failure.error?.message).toMatch(/topics/);
    expect(failure.error?.code).toBeDefined();
    expect(failure.error?.query).toMatch(/topics/);
    expect(failure.error?.stack).toEqual(expect.any(String));
    const line = await logs.waitFor((entry) => operationLine(entry) && entry.requestId === requestId);
    expect(line).toMatchObject({ operation: 'BrokenTopics', outcome: 'error', errorCodes: ['INTERNAL_SERVER_ERROR'] });
  });
});

describe('log lines over the WebSocket', () => {
  const logs = captureLogs('info');
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ logger: logs.logger });
  });
  afterAll(() => t.stop());

  it('logs a subscription when it starts and when it ends, under its operation id; a refused one with its code', async () => {
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Logged', body: 'Body.' } }, member.token);
    const postId = created.data.createThread.thread.id;
    const client = connect(t, member.token);
    try {
      const stats = collect(client, POST_STATS, { postId });
      await stats.until((messages) => messages.length === 1);
      const started = await logs.waitFor((entry) => operationLine(entry) && entry.transport === 'ws' && entry.outcome === 'ok');
      expect(started).toMatchObject({ level: 'info', operation: 'WatchStats', type: 'subscription' });
      // <connection id>/<operation id>: what a masked error of this operation quotes.
      expect(started.requestId).toMatch(/^[0-9a-f-]{36}\/.+$/);

      stats.unsubscribe();
      const ended = await logs.waitFor((entry) => entry.message === 'subscription ended' && entry.requestId === started.requestId);
      expect(ended).toMatchObject({ operation: 'WatchStats', outcome: 'ok' });
      expect(ended.durationMs).toBeGreaterThanOrEqual(0);

      const missing = collect(client, POST_STATS, { postId: toGlobalId('Thread', 999_999) });
      await missing.ended();
      const refused = await logs.waitFor((entry) => operationLine(entry) && entry.transport === 'ws' && entry.outcome === 'error');
      expect(refused).toMatchObject({ operation: 'WatchStats', errorCodes: ['NOT_FOUND'] });
      expect(refused.requestId).not.toBe(started.requestId);
    } finally {
      await client.dispose();
    }
  });
});

describe('LOG_LEVEL=silent', () => {
  it('writes nothing', async () => {
    const logs = captureLogs('silent');
    const t = await startTestServer({ logger: logs.logger });
    try {
      await t.gql(`{ topics { slug } }`);
      await t.gql(`{ topics { slug } }`, {}, 'not-a-valid-token-at-all-0000000000');
    } finally {
      await t.stop();
    }
    expect(logs.text()).toBe('');
  });
});

describe('errors of the ws library (compiled server, real stdout and stderr)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-logs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('logs an oversized frame as one JSON warning on stderr; every line of both streams is JSON', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        DEMO_DATA: '0',
        NODE_ENV: 'production',
        LIVE_MAX_PAYLOAD_BYTES: '1024',
        DATABASE_URL: `sqlite:${path.join(dir, 'frames.sqlite')}`,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line in 20 s:\n${stdout}${stderr}`)), 20_000);
        child.stdout.on('data', () => {
          const match = /listening at http:\/\/[^:]+:(\d+)\/graphql/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { x }`, padding: 'x'.repeat(5000) } }));
      expect(await closed).toBe(1009);

      const deadline = Date.now() + 5000;
      while (!/Max payload size exceeded/.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const parse = (text: string) =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LogLine);
    const errLines = parse(stderr);
    const outLines = parse(stdout);
    expect(errLines.every((line) => line.level === 'warn' || line.level === 'error')).toBe(true);
    expect(outLines.every((line) => line.level === 'info' || line.level === 'debug')).toBe(true);
    expect(errLines).toContainEqual(expect.objectContaining({ level: 'warn', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', reason: 'Max payload size exceeded' }));
    expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
  }, 40_000);
});
