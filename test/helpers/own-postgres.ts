/**
 * A PostgreSQL cluster of the test's own, on a spare port, in a temporary
 * folder: fault tests stop and restart it, never the machine's own server.
 * It uses the machine's PostgreSQL programs (initdb, postgres); as root they
 * run as the `postgres` user, since PostgreSQL refuses to run as root.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onDispose } from './leftovers';

/** Folder of the PostgreSQL server programs, or null when they are not installed. */
export function postgresBinDir(): string | null {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [fromConfig.status === 0 ? fromConfig.stdout.trim() : ''];
  if (fs.existsSync('/usr/lib/postgresql')) {
    for (const version of fs.readdirSync('/usr/lib/postgresql').sort().reverse()) candidates.push(`/usr/lib/postgresql/${version}/bin`);
  }
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) ?? null;
}

const isRoot = process.getuid?.() === 0;

/** As root, the PostgreSQL programs run as the `postgres` user (spawned with its uid, so signals reach them directly). */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (!isRoot) return {};
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

function sparePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Stops the server: `fast` disconnects every session cleanly (57P01), `immediate` is a crash (recovery at next start). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder (the dispose list does it too). */
  dispose(): Promise<void>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('the PostgreSQL server programs (initdb, postgres) are not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-pg-'));
  const data = path.join(dir, 'data');
  const user = postgresUser();
  if (isRoot) fs.chownSync(dir, user.uid!, user.gid!);
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions'], {
    encoding: 'utf8',
    cwd: dir,
    ...user,
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await sparePort();

  let child: ChildProcess | null = null;
  let output = '';
  const start = async () => {
    const args = ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=50'];
    const started = spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...user });
    started.stdout!.on('data', (chunk) => (output += chunk));
    started.stderr!.on('data', (chunk) => (output += chunk));
    child = started;
    const deadline = Date.now() + 20_000;
    // Accepting TCP is not enough during recovery: wait for "ready to accept connections".
    while (!(/ready to accept connections/.test(output) && (await accepts(port)))) {
      if (started.exitCode !== null) throw new Error(`own postgres exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`own postgres did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    output = '';
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // To the postmaster: SIGINT is a fast shutdown, SIGQUIT an immediate one (crash recovery at the next start).
    running.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
  };
  const dispose = onDispose(async () => {
    await stop('fast');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await start();
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, start, stop, dispose };
}
