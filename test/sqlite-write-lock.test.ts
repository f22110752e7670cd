/**
 * Another process holding the SQLite write lock for a moment (a backup, the
 * sqlite3 CLI, an admin command): the server's writes wait for it, up to the
 * 5 s busy timeout, and succeed once it is released. Held longer, the
 * waiting write answers SERVICE_UNAVAILABLE; nothing acknowledged is lost and
 * nothing stays wedged. Before writes began with BEGIN IMMEDIATE, a write that
 * read first failed within milliseconds (SQLITE_BUSY without the busy handler).
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ADD_COMMENT, CREATE_THREAD } from './helpers/documents';
import { codesOf, startTestServer, TestServer } from './helpers/server';
import { commentBodiesOnDisk } from './helpers/sqlite-file';
import { temporaryDirectory } from './helpers/leftovers';

interface LockHolder {
  /** Resolves when the process has released the lock and exited. */
  released: Promise<void>;
}

/** A second process that takes the write lock on `file` (BEGIN IMMEDIATE), holds it `holdMs`, then rolls back and exits. */
async function holdWriteLock(file: string, holdMs: number): Promise<LockHolder> {
  const script = `
    const sqlite3 = require(${JSON.stringify(require.resolve('sqlite3'))});
    const db = new sqlite3.Database(${JSON.stringify(file)});
    db.run('BEGIN IMMEDIATE', (error) => {
      if (error) { console.error(error.message); process.exit(2); }
      console.log('locked');
      setTimeout(() => db.run('ROLLBACK', () => db.close(() => process.exit(0))), ${holdMs});
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const released = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}: ${output}`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => String(chunk).includes('locked') && resolve());
    released.catch(reject);
  });
  return { released };
}

describe('SQLite write lock held by another process', () => {
  let dir: string;
  let file: string;
  let t: TestServer;
  let member: { token: string; id: string };
  let postId: string;

  beforeAll(async () => {
    dir = temporaryDirectory('peer-community-lock-');
    file = path.join(dir, 'community.sqlite');
    t = await startTestServer({ database: `sqlite:${file}` });
    member = await t.signUp();
    const thread = await t.gql(CREATE_THREAD, { input: { title: 'Locks', body: 'Waiting writes' } }, member.token);
    postId = thread.data!.createThread.thread.id;
  });

  const comment = (body: string) => t.gql(ADD_COMMENT, { input: { postId, body } }, member.token);

  it('held for 2 s: writes wait for it and succeed once it is released', async () => {
    const holder = await holdWriteLock(file, 2000);
    const started = Date.now();
    // addComment reads the post before it writes: the case that used to fail at once.
    const responses = await Promise.all([comment('waited 1'), comment('waited 2'), comment('waited 3'), t.signUp().then(() => ({ errors: undefined }))]);
    const waited = Date.now() - started;
    await holder.released;
    for (const response of responses) expect(response.errors).toBeUndefined();
    expect(waited).toBeGreaterThan(1500); // they really waited for the lock rather than failing or bypassing it
    // Concurrent requests reach the writer in the order their reads finish (reads run beside it), not the order sent.
    expect((await commentBodiesOnDisk(file)).sort()).toEqual(['waited 1', 'waited 2', 'waited 3']);
  }, 20_000);

  it('held past the busy timeout: the waiting write answers SERVICE_UNAVAILABLE; nothing acknowledged is lost, nothing is wedged', async () => {
    const before = await commentBodiesOnDisk(file);
    const holder = await holdWriteLock(file, 7000);
    const bodies = ['late 1', 'late 2', 'late 3'];
    const responses = await Promise.all(bodies.map((body) => comment(body)));
    await holder.released;

    // The first write to wait gives up after the 5 s busy timeout; those queued behind it may get the lock once it is released.
    expect(responses.some((response) => codesOf(response).join() === 'SERVICE_UNAVAILABLE')).toBe(true);
    for (const response of responses) expect(response.errors === undefined || codesOf(response).join() === 'SERVICE_UNAVAILABLE').toBe(true);
    const acknowledged = bodies.filter((_, i) => responses[i].errors === undefined);

    const after = await comment('after the lock');
    expect(after.errors).toBeUndefined();
    // Everything acknowledged is there, and nothing else: the earlier comments, the three concurrent ones in
    // the order they reached the writer (their reads run beside it), then the one sent after the lock.
    const onDisk = await commentBodiesOnDisk(file);
    expect(onDisk.slice(0, before.length)).toEqual(before);
    expect(onDisk.slice(before.length, -1).sort()).toEqual(acknowledged);
    expect(onDisk[onDisk.length - 1]).toBe('after the lock');
    expect(onDisk).toHaveLength(before.length + acknowledged.length + 1);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }, 30_000);
});
