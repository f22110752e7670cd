/**
 * Every request checks its bearer token in the database, on every instance: a session ended on
 * instance A (logOut, changePassword, deleteAccount, suspendMember) is refused on instance B by the
 * very next request, although B served that token a moment before, and whatever Redis delivered
 * meanwhile. There is no cache of tokens across requests: the relay is at-most-once (a revocation
 * lost while Redis was down would keep a cached token alive) and the member's role, suspension and
 * profile are read per request anyway, so the session check rides on that one statement. A role
 * set from the command line applies to the next request on both instances.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { DELETE_ACCOUNT, SUSPEND_MEMBER, VIEWER_ROLE } from './helpers/control-documents';
import { SIGN_UP, typed } from './helpers/documents';
import { CHANGE_PASSWORD } from './helpers/live-edits-documents';
import { describeWithScaleServers, freshPostgresDatabase, gqlTo, SCALE_REDIS_URL, ServerProcess, spawnServer } from './helpers/scale';

const CLI = path.join(__dirname, '..', 'dist', 'src', 'cli', 'member.js');
const PASSWORD = 'correct horse battery';
const LOG_OUT = typed<{ logOut: boolean }>(`mutation LogOut { logOut }`);

/** `npm run member -- role <email> <role>` against the instances' database. */
function setRole(email: string, role: string, databaseUrl: string): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, 'role', email, role], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl }, stdio: 'ignore' });
  return new Promise((resolve) => child.once('close', resolve));
}

/** The close code a new socket with `token` gets on `server` (4403 for an ended session), or 0 when it was acknowledged. */
function connectCode(server: ServerProcess, token: string): Promise<number> {
  const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type !== 'connection_ack') return;
      socket.close();
      resolve(0);
    });
    socket.once('close', (code) => resolve(code));
    socket.once('error', reject);
  });
}

const SUITE = 'token checks, two instances on PostgreSQL + Redis';

describeWithScaleServers(SUITE)(SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let signUps = 0;

  async function signUp(): Promise<{ email: string; token: string; id: string }> {
    const email = `token-checks-${++signUps}@example.test`;
    const result = await gqlTo(a, SIGN_UP, { input: { email, password: PASSWORD, title: 'CTO', companySize: 'EMPLOYEES_2_TO_10' } });
    return { email, token: result.data!.signUp.token, id: result.data!.signUp.member.id };
  }

  /** B serves the token (as it would keep serving a cached one), then A ends the session, then B at once. */
  async function refusedOnBRightAfter(token: string, revokeOnA: () => Promise<void>): Promise<void> {
    expect((await gqlTo(b, VIEWER_ROLE, {}, token)).data?.viewer).not.toBeNull();
    await revokeOnA();
    const [http, socket] = await Promise.all([gqlTo(b, VIEWER_ROLE, {}, token), connectCode(b, token)]);
    expect(http.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(socket).toBe(4403);
  }

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: SCALE_REDIS_URL, RATE_LIMIT_SIGNUPS_PER_HOUR: '0' };
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  }, 60_000);

  afterAll(async () => {
    const codes = await Promise.all([a, b].map((instance) => instance?.stop()));
    await database?.drop();
    expect(codes).toEqual([0, 0]);
  }, 30_000);

  it('logOut on A: the token is refused on B by the next request and the next socket', async () => {
    const member = await signUp();
    await refusedOnBRightAfter(member.token, async () => expect((await gqlTo(a, LOG_OUT, {}, member.token)).data?.logOut).toBe(true));
  });

  it("changePassword on A: the member's other sessions are refused on B at once; the requester's goes on", async () => {
    const member = await signUp();
    const other = await gqlTo(b, typed<{ logIn: { token: string } }>(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`), {
      input: { email: member.email, password: PASSWORD },
    });
    await refusedOnBRightAfter(other.data!.logIn.token, async () => {
      const changed = await gqlTo(a, CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'a much longer passphrase' } }, member.token);
      expect(changed.data?.changePassword.revokedTokenCount).toBe(1);
    });
    expect((await gqlTo(b, VIEWER_ROLE, {}, member.token)).data?.viewer?.id).toBe(member.id);
  });

  it('deleteAccount on A: the token is refused on B at once', async () => {
    const member = await signUp();
    await refusedOnBRightAfter(member.token, async () => {
      expect((await gqlTo(a, DELETE_ACCOUNT, { input: { password: PASSWORD } }, member.token)).errors).toBeUndefined();
    });
  });

  it('a role set from the command line applies to the next request on both instances; suspendMember on A is refused on B at once', async () => {
    const moderator = await signUp();
    const member = await signUp();
    expect((await gqlTo(b, VIEWER_ROLE, {}, moderator.token)).data?.viewer?.role).toBe('MEMBER');
    expect(await setRole(moderator.email, 'MODERATOR', database.url)).toBe(0);
    for (const instance of [a, b]) expect((await gqlTo(instance, VIEWER_ROLE, {}, moderator.token)).data?.viewer?.role).toBe('MODERATOR');

    await refusedOnBRightAfter(member.token, async () => {
      const suspended = await gqlTo(a, SUSPEND_MEMBER, { input: { memberId: member.id, reason: 'SPAM' } }, moderator.token);
      expect(suspended.errors).toBeUndefined();
    });
  });
});
