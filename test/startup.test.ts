/**
 * `npm start` as users run it: the compiled entry point (built by `npm ci`'s
 * prepare script, and by `pretest`), configured by environment only.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { temporaryDirectory } from './helpers/leftovers';

const MAIN = path.join(__dirname, '..', 'dist', 'src', 'main.js');

interface Started {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /listening at http:\/\/[^:]+:(\d+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, baseUrl: `http://127.0.0.1:${match[1]}`, output: () => output });
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function postCount(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ posts { totalCount } }' }),
  });
  return ((await response.json()) as { data: { posts: { totalCount: number } } }).data.posts.totalCount;
}

describe('npm start', () => {
  const dir = temporaryDirectory('peer-community-start-');

  it('creates and migrates the database, loads the demo once, reports health, and stops cleanly on SIGTERM', async () => {
    const database = path.join(dir, 'nested', 'community.sqlite');
    const first = await start({ DATABASE_URL: `sqlite:${database}` });
    expect(fs.existsSync(database)).toBe(true);
    const health = await fetch(`${first.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const demoPosts = await postCount(first.baseUrl);
    expect(demoPosts).toBeGreaterThan(10);
    first.child.kill('SIGTERM');
    expect(await exitOf(first.child)).toBe(0);

    // A second start on the same file migrates nothing and does not load the demo again.
    const second = await start({ DATABASE_URL: `sqlite:${database}` });
    expect(await postCount(second.baseUrl)).toBe(demoPosts);
    second.child.kill('SIGINT');
    expect(await exitOf(second.child)).toBe(0);
  });

  it('starts empty with DEMO_DATA=0', async () => {
    const server = await start({ DATABASE_URL: `sqlite:${path.join(dir, 'empty.sqlite')}`, DEMO_DATA: '0' });
    expect(await postCount(server.baseUrl)).toBe(0);
    server.child.kill('SIGTERM');
    expect(await exitOf(server.child)).toBe(0);
  });

  it.each([
    ['PORT', 'not-a-port'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['DEMO_DATA', 'yes'],
    ['LOG_LEVEL', 'chatty'],
  ])('refuses a bad %s at start-up, naming the variable', async (variable, value) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${path.join(dir, 'bad.sqlite')}`, [variable]: value },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toContain(variable);
  });
});
