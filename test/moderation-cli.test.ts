/**
 * `npm run member -- role <email> ROLE`, run as a real child process on the compiled code against a
 * real server process that keeps running (and writing): on SQLite and on PostgreSQL. The running
 * server applies the new role to the member's next request, with the token it already had; the
 * change is logged with a null moderator; an unknown e-mail or role exits 1 and changes nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MODERATION_LOG, SET_MEMBER_ROLE, VIEWER_ROLE } from './helpers/control-documents';
import { ADD_COMMENT, CREATE_THREAD, SIGN_UP } from './helpers/documents';
import { describeWithScaleServers, freshPostgresDatabase, gqlTo, ServerProcess, spawnServer } from './helpers/scale';

const CLI = path.join(__dirname, '..', 'dist', 'src', 'cli', 'member.js');

/** Runs `node dist/src/cli/member.js ...args` with only DATABASE_URL set, as `npm run member -- ...` does. */
function member(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The whole story against one running server on `databaseUrl`. */
async function setsRolesWhileTheServerRuns(databaseUrl: string): Promise<void> {
  const server: ServerProcess = await spawnServer({ DATABASE_URL: databaseUrl });
  const signUp = async (email: string) =>
    (await gqlTo(server, SIGN_UP, { input: { email, password: 'correct horse battery', title: 'CTO', companySize: 'EMPLOYEES_2_TO_10' } })).data!.signUp;
  const first = await signUp('first.admin@example.test');
  const other = await signUp('other@example.test');
  expect((await gqlTo(server, VIEWER_ROLE, {}, first.token)).data!.viewer!.role).toBe('MEMBER');

  // The server keeps writing while the command runs: it waits its turn on the database.
  const postId = (await gqlTo(server, CREATE_THREAD, { input: { title: 'Busy', body: 'Writes go on' } }, other.token)).data!.createThread.thread.id;
  let writing = true;
  const failures: unknown[] = [];
  const writer = (async () => {
    for (let n = 0; writing; n++) {
      const response = await gqlTo(server, ADD_COMMENT, { input: { postId, body: `comment ${n}` } }, other.token);
      if (response.errors) failures.push(response.errors);
    }
  })();
  // The e-mail is compared case-insensitively.
  const made = await member(['role', 'First.Admin@Example.TEST', 'ADMIN'], databaseUrl);
  writing = false;
  await writer;
  expect(failures).toEqual([]);
  expect(made).toEqual({ code: 0, stdout: `${first.member.id} ADMIN\n`, stderr: '' });

  // No restart: the token from before is an admin's on its next request.
  expect((await gqlTo(server, VIEWER_ROLE, {}, first.token)).data!.viewer!.role).toBe('ADMIN');
  const promoted = await gqlTo(server, SET_MEMBER_ROLE, { input: { memberId: other.member.id, role: 'MODERATOR' } }, first.token);
  expect(promoted.errors).toBeUndefined();
  const log = (await gqlTo(server, MODERATION_LOG, { subjectId: first.member.id }, first.token)).data!.moderationLog;
  expect(log.edges.map((edge) => edge.node)).toMatchObject([{ action: 'SET_ROLE', role: 'ADMIN', moderator: null, subjectId: first.member.id }]);

  // Unknown e-mail or role: exit 1, a message on stderr, nothing changed.
  const unknownEmail = await member(['role', 'nobody@example.test', 'ADMIN'], databaseUrl);
  expect(unknownEmail).toMatchObject({ code: 1, stdout: '' });
  expect(unknownEmail.stderr).toContain('nobody@example.test');
  const unknownRole = await member(['role', 'other@example.test', 'OWNER'], databaseUrl);
  expect(unknownRole).toMatchObject({ code: 1, stdout: '' });
  expect(unknownRole.stderr).toContain('OWNER');
  expect((await gqlTo(server, VIEWER_ROLE, {}, other.token)).data!.viewer!.role).toBe('MODERATOR');
  const total = (await gqlTo(server, MODERATION_LOG, {}, first.token)).data!.moderationLog.totalCount;
  expect(total).toBe(2);

  // The same role again: printed, unchanged, not logged.
  expect(await member(['role', 'first.admin@example.test', 'ADMIN'], databaseUrl)).toEqual({ code: 0, stdout: `${first.member.id} ADMIN\n`, stderr: '' });
  expect((await gqlTo(server, MODERATION_LOG, {}, first.token)).data!.moderationLog.totalCount).toBe(2);
  // Wrong usage is refused (2), as the other commands refuse theirs.
  expect((await member(['role', 'first.admin@example.test'], databaseUrl)).code).toBe(2);
  expect(await server.stop()).toBe(0);
}

describe('npm run member -- role (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-member-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sets a role while the server runs and writes', async () => {
    await setsRolesWhileTheServerRuns(`sqlite:${path.join(dir, 'live.sqlite')}`);
  }, 60_000);
});

const SUITE = 'npm run member -- role (PostgreSQL)';
describeWithScaleServers(SUITE)(SUITE, () => {
  it('sets a role while the server runs and writes', async () => {
    const database = await freshPostgresDatabase();
    await setsRolesWhileTheServerRuns(database.url);
  }, 60_000);
});
