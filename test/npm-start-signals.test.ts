/**
 * `npm start` under a supervisor: SIGTERM (what `docker stop` or systemd sends)
 * or SIGINT sent to the npm process reaches the server, which stops gracefully
 * and leaves nothing listening. npm forwards the signal to the script's
 * process, but that process used to be `sh -c "node ..."` (dash does not exec
 * the last command): the shell died of the signal and the server, never told,
 * stayed orphaned and listening. The script now `exec`s node, so npm's child is
 * the server itself. Runs the real `npm start` on the compiled code (npm test builds first).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** Every live descendant of `pid` (Linux /proc), so a grandchild orphaned behind a shell is caught too. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces: fields after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface NpmStart {
  npm: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function npmStart(dir: string): Promise<NpmStart> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      DEMO_DATA: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk) => (output += chunk));
  npm.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 30_000;
  let match: RegExpExecArray | null = null;
  while (!(match = /listening at http:\/\/[^:]+:(\d+)\/graphql/.exec(output))) {
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not listen:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { npm, port: Number(match[1]), output: () => output, exited };
}

describe('signals sent to the npm start process', () => {
  let dir: string;
  const started: Array<NpmStart & { processes: number[] }> = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-signals-'));
  });
  afterAll(() => {
    // Whatever a failed assertion left behind.
    for (const run of started) {
      for (const pid of run.processes) if (alive(pid)) process.kill(pid, 'SIGKILL');
      run.npm.stdout!.destroy();
      run.npm.stderr!.destroy();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops the server gracefully: the port closes and no process is left',
    async (signal) => {
      const run = await npmStart(fs.mkdtempSync(path.join(dir, signal)));
      const processes = [run.npm.pid!, ...descendants(run.npm.pid!)];
      started.push({ ...run, processes });
      expect(processes.length).toBeGreaterThanOrEqual(2); // npm and the server
      expect(await portOpen(run.port)).toBe(true);

      run.npm.kill(signal);
      const exit = await Promise.race([run.exited, new Promise((resolve) => setTimeout(() => resolve('npm still running after 15 s'), 15_000))]);
      // The server exits 0 after a clean stop, and npm with it.
      expect(exit).toEqual({ code: 0, signal: null });
      const deadline = Date.now() + 10_000;
      while (processes.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(processes.filter(alive)).toEqual([]);
      expect(await portOpen(run.port)).toBe(false);
      const lines = run
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { message: string; signal?: string });
      expect(lines).toContainEqual(expect.objectContaining({ message: 'shutting down', signal }));
    },
    60_000,
  );
});
