/**
 * `npm run backup` under write load and `npm run restore` into a fresh file,
 * both run as real child processes on the compiled code, against a real
 * server process: the restored database has every comment acknowledged before
 * the backup began, counters equal to their rows, and passes integrity_check;
 * the server's writes go on during the backup; restore refuses while a server
 * has its target open. SQLite only (PostgreSQL: pg_dump, see the README).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { typed } from './helpers/documents';
import { gqlTo, ServerProcess, spawnServer } from './helpers/scale';
import type { ResponseError } from './helpers/server';

const CLI = path.join(__dirname, '..', 'dist', 'src', 'cli');

/** Runs `node dist/src/cli/<name>.js ...args` with only DATABASE_URL set, as `npm run <name> -- ...` does. */
function cli(name: 'backup' | 'restore', args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(CLI, `${name}.js`), ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const gql = gqlTo;

async function readFile<T>(file: string, sql: string): Promise<T[]> {
  const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
  try {
    return await new Promise<T[]>((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('npm run backup / npm run restore (SQLite)', () => {
  let dir: string;
  const servers: ServerProcess[] = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-backup-'));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a backup taken under write load restores with every comment acknowledged before it began', async () => {
    const live = path.join(dir, 'live.sqlite');
    const server = await spawnServer({ DATABASE_URL: `sqlite:${live}` });
    servers.push(server);
    const members: string[] = [];
    for (let i = 0; i < 4; i++) {
      const signUp = await gql(server, SIGN_UP, {
        input: { email: `m${i}@example.test`, password: 'correct horse battery', title: 'CTO', companySize: 'EMPLOYEES_2_TO_10' },
      });
      members.push(signUp.data!.signUp.token);
    }
    const postId = (await gql(server, CREATE_THREAD, {}, members[0])).data!.createThread.thread.id;
    const poll = (await gql(server, CREATE_POLL, {}, members[0])).data!.createPoll.poll;

    // Comments from 6 clients and vote changes from 4 members, until told to stop.
    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    let slowest = 0;
    let writing = true;
    const write = async (send: () => Promise<{ errors?: ResponseError[] }>, onOk: () => void) => {
      const started = Date.now();
      const response = await send();
      slowest = Math.max(slowest, Date.now() - started);
      if (response.errors) failures.push(response.errors);
      else onOk();
    };
    const commenter = async (worker: number) => {
      for (let n = 0; writing; n++) {
        const body = `worker ${worker} comment ${n}`;
        await write(
          () => gql(server, ADD_COMMENT, { input: { postId, body } }, members[worker % members.length]),
          () => acknowledged.push(body),
        );
      }
    };
    const voter = async (member: number) => {
      for (let n = 0; writing; n++) {
        const optionIds = [poll.options[(member + n) % poll.options.length].id];
        await write(
          () => gql(server, CAST_VOTE, { input: { pollId: poll.id, optionIds } }, members[member]),
          () => {},
        );
      }
    };
    const writers = [...Array.from({ length: 6 }, (_, i) => commenter(i)), ...members.map((_, i) => voter(i))];
    while (acknowledged.length < 60) await sleep(20);

    const before = [...acknowledged]; // acknowledged before the backup began
    slowest = 0;
    const backupFile = path.join(dir, 'backups', 'nightly.sqlite');
    const backup = await cli('backup', [backupFile], `sqlite:${live}`);
    const duringBackup = { acknowledged: acknowledged.length - before.length, slowest };
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(backup.stdout).toContain('integrity ok');
    await sleep(300); // writes go on after the backup too
    writing = false;
    await Promise.all(writers);
    expect(failures).toEqual([]);
    // The server kept writing during the backup; the 5 s busy timeout was never approached.
    expect(duringBackup.slowest).toBeLessThan(4000);
    await server.stop();

    const restored = path.join(dir, 'restored', 'new-folder', 'community.sqlite');
    const restore = await cli('restore', [backupFile], `sqlite:${restored}`);
    expect(restore).toMatchObject({ code: 0, stderr: '' });
    expect(restore.stdout).toContain('integrity ok');

    const again = await spawnServer({ DATABASE_URL: `sqlite:${restored}` });
    servers.push(again);
    const stored = new Set((await readFile<{ body: string }>(restored, 'SELECT body FROM comments')).map((row) => row.body));
    expect(before.filter((body) => !stored.has(body))).toEqual([]);
    const post = await gql<{ post: { commentCount: number } }>(again, `query ($id: ID!) { post(id: $id) { commentCount } }`, { id: postId });
    expect(post.data!.post.commentCount).toBe(stored.size);
    const results = await gql<{ post: { results: { participantCount: number; options: Array<{ voteCount: number }> } } }>(
      again,
      `query ($id: ID!) { post(id: $id) { ... on Poll { results { participantCount options { voteCount } } } } }`,
      { id: poll.id },
      members[0],
    );
    expect(results.data!.post.results.participantCount).toBe(members.length);
    expect(results.data!.post.results.options.reduce((sum: number, option: { voteCount: number }) => sum + option.voteCount, 0)).toBe(members.length);
    // Still writable.
    expect((await gql(again, ADD_COMMENT, { input: { postId, body: 'after the restore' } }, members[1])).errors).toBeUndefined();
    await again.stop();

    expect(await readFile(restored, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const counters = await readFile<{ id: number; counter: number; rows: number }>(
      restored,
      `SELECT p.id, p.comment_count AS counter, (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id) AS rows FROM posts p
       UNION ALL SELECT o.id, o.vote_count, (SELECT COUNT(*) FROM poll_votes v WHERE v.option_id = o.id) FROM poll_options o`,
    );
    for (const row of counters) expect(row.counter).toBe(row.rows);
    process.stdout.write(`backup under load: ${duringBackup.acknowledged} writes acknowledged during it, slowest write ${duringBackup.slowest} ms\n`);
  }, 120_000);

  it('restore refuses while a server has the target open, and leaves it untouched', async () => {
    const live = path.join(dir, 'running.sqlite');
    const server = await spawnServer({ DATABASE_URL: `sqlite:${live}` });
    servers.push(server);
    const member = await gql(server, SIGN_UP, {
      input: { email: 'r@example.test', password: 'correct horse battery', title: 'CIO', companySize: 'EMPLOYEES_2_TO_10' },
    });
    const backupFile = path.join(dir, 'running-backup.sqlite');
    expect((await cli('backup', [backupFile], `sqlite:${live}`)).code).toBe(0);
    await gql(server, CREATE_THREAD, {}, member.data!.signUp.token);

    const restore = await cli('restore', [backupFile], `sqlite:${live}`);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('stop the server');
    // The running server still has its data and still writes.
    expect((await gql<{ posts: { totalCount: number } }>(server, '{ posts(first: 5) { totalCount } }')).data!.posts.totalCount).toBe(1);
    expect((await gql(server, CREATE_THREAD, {}, member.data!.signUp.token)).errors).toBeUndefined();
    await server.stop();
    expect(await readFile(live, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 2 }]);
  }, 60_000);

  it('refuses plainly: an existing backup file, a missing argument, PostgreSQL', async () => {
    const existing = path.join(dir, 'existing.sqlite');
    fs.writeFileSync(existing, 'keep me');
    const live = `sqlite:${path.join(dir, 'live.sqlite')}`;
    expect(await cli('backup', [existing], live)).toMatchObject({ code: 2, stderr: expect.stringContaining('already exists') });
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
    expect(await cli('backup', [], live)).toMatchObject({ code: 2, stderr: expect.stringContaining('usage') });
    expect(await cli('restore', [existing], `sqlite:${path.join(dir, 'other.sqlite')}`)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a usable backup'),
    });
    const postgres = 'postgres://app@127.0.0.1:5432/community';
    expect(await cli('backup', [path.join(dir, 'pg')], postgres)).toMatchObject({ code: 2, stderr: expect.stringContaining('pg_dump') });
    expect(await cli('restore', [existing], postgres)).toMatchObject({ code: 2, stderr: expect.stringContaining('pg_restore') });
  });
});

const SIGN_UP = typed<{ signUp: { token: string } }>(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`);
const CREATE_THREAD = typed<{ createThread: { thread: { id: string } } }>(
  `mutation { createThread(input: { title: "Backups", body: "Under load" }) { thread { id } } }`,
);
const CREATE_POLL = typed<{ createPoll: { poll: { id: string; options: Array<{ id: string }> } } }>(
  `mutation { createPoll(input: { title: "Backup tool?", options: ["VACUUM INTO", "Online backup API", "cp"] }) { poll { id options { id } } } }`,
);
const ADD_COMMENT = `mutation ($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`;
const CAST_VOTE = `mutation ($input: CastVoteInput!) { castVote(input: $input) { poll { id } } }`;
