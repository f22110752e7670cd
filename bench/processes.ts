/**
 * Child processes of the benchmark: the server under test (`node dist/src/main.js` in production
 * mode, exactly as `npm start` runs it), the baselines (bare Apollo Server, plain `ws` broadcast)
 * and the WebSocket client process. Every child started here is stopped by `stopAll`, also when
 * the run fails halfway.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const started: ChildProcess[] = [];

/** The environment every server under test gets: production, quiet, every limit the bench would hit lifted. */
export const SERVER_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'error',
  DEMO_DATA: '1',
  // One address (127.0.0.1) signs up hundreds of members, casts hundreds of votes and opens
  // 10,000 sockets: the bench measures throughput, not the abuse limits.
  RATE_LIMIT_SIGNUPS_PER_HOUR: '0',
  RATE_LIMIT_WRITES_PER_MINUTE: '0',
  RATE_LIMIT_LOGIN_FAILURES: '0',
  RATE_LIMIT_SUBSCRIBES_PER_CONNECTION: '0',
  RATE_LIMIT_SUBSCRIBES_PER_ADDRESS: '0',
};

export interface ServerUnderTest {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the built server on a free port and waits for GET /healthz to answer 200. */
export async function startServer(projectDir: string, databaseUrl: string, port: number): Promise<ServerUnderTest> {
  const child = spawn(process.execPath, [path.join(projectDir, 'dist/src/main.js')], {
    cwd: projectDir,
    env: { ...process.env, ...SERVER_ENV, DATABASE_URL: databaseUrl, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} during start-up`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become healthy within 60 s');
    await sleep(100);
  }
  return { url, pid: child.pid as number, stop: () => stopChild(child) };
}

export interface Helper {
  child: ChildProcess;
  /** The child's first message (its port, or that it is ready). */
  hello: Record<string, unknown>;
  /** Sends a command and resolves with the child's next message. */
  request<T>(message: object): Promise<T>;
  stop(): Promise<void>;
}

/** Forks one of the bench's own scripts (compiled next to this file) with an IPC channel. */
export async function startHelper(script: string, args: string[] = []): Promise<Helper> {
  const child = fork(path.join(__dirname, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  started.push(child);
  const queue: Array<(message: unknown) => void> = [];
  child.on('message', (message) => queue.shift()?.(message));
  const request = <T>(message: object) =>
    new Promise<T>((resolve, reject) => {
      queue.push((reply) => resolve(reply as T));
      child.send(message, (error) => error && reject(error));
    });
  const hello = (await new Promise<unknown>((resolve) => queue.push(resolve))) as Record<string, unknown>;
  return { child, hello, request, stop: () => stopChild(child) };
}

export async function stopAll(): Promise<void> {
  await Promise.all(started.map(stopChild));
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process in bytes (Linux: VmRSS of /proc/<pid>/status). */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port free right now (the server under test needs it before it starts, to be told on its command line). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
