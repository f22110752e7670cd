/**
 * Suspensions and role changes across two instances on one PostgreSQL database with Redis between
 * them: a suspension made on one closes the member's sockets on both with 4403 within a second,
 * both answer their tokens with HTTP 401, and logIn on either says SUSPENDED; a role set on one is
 * the member's role on the other at their very next request.
 */
import { MemberRole } from '../src/modules/moderation/moderation.enums';
import { grantRole, LOG_IN, MODERATION_LOG, SET_MEMBER_ROLE, SUSPEND_MEMBER, VIEWER_ROLE } from './helpers/control-documents';
import { CREATE_THREAD, WATCH_STATS } from './helpers/documents';
import { collect, connect } from './helpers/live';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL } from './helpers/scale';
import { codesOf, startTestServer, TestServer } from './helpers/server';

const SUITE = 'moderation across two instances (PostgreSQL + Redis)';
const CLOSE_WITHIN_MS = 1000;

describeWithScaleServers(SUITE)(SUITE, () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const database = await freshPostgresDatabase();
    a = await startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
    b = await startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
  }, 60_000);

  it('a role set on one instance applies on the other at once', async () => {
    const admin = await a.signUp();
    await grantRole(a, admin.id, MemberRole.ADMIN);
    const someone = await b.signUp();
    expect(codesOf(await b.gql(MODERATION_LOG, {}, someone.token))).toEqual(['FORBIDDEN']);
    expect((await a.gql(SET_MEMBER_ROLE, { input: { memberId: someone.id, role: 'MODERATOR' } }, admin.token)).errors).toBeUndefined();
    expect((await b.gql(VIEWER_ROLE, {}, someone.token)).data!.viewer!.role).toBe('MODERATOR');
    expect((await b.gql(MODERATION_LOG, {}, someone.token)).errors).toBeUndefined();
    await a.gql(SET_MEMBER_ROLE, { input: { memberId: someone.id, role: 'MEMBER' } }, admin.token);
    expect(codesOf(await b.gql(MODERATION_LOG, {}, someone.token))).toEqual(['FORBIDDEN']);
  });

  it("a suspension closes the member's sockets on both instances with 4403, and both refuse the tokens and the log-in", async () => {
    const moderator = await a.signUp();
    await grantRole(a, moderator.id, MemberRole.MODERATOR);
    const email = `suspended-${process.pid}@example.test`;
    const target = await a.signUp({ email });
    const onB = (await b.gql(LOG_IN, { input: { email, password: 'correct horse battery' } })).data!.logIn!.token;
    const bystander = await b.signUp();
    const postId = (await a.gql(CREATE_THREAD, { input: { title: 'Watched', body: 'x' } }, bystander.token)).data!.createThread.thread.id;

    const closes = new Map<string, number>();
    const sockets = {
      a: connect(a, target.token, { onClose: (code) => closes.set('a', code) }),
      b: connect(b, onB, { onClose: (code) => closes.set('b', code) }),
      bystander: connect(b, bystander.token, { onClose: (code) => closes.set('bystander', code) }),
    };
    const watchers = Object.values(sockets).map((client) => collect(client, WATCH_STATS, { id: postId }));
    await Promise.all(watchers.map((watcher) => watcher.until((messages) => messages.length > 0)));

    const suspended = await a.gql(SUSPEND_MEMBER, { input: { memberId: target.id, reason: 'SPAM' } }, moderator.token);
    expect(suspended.errors).toBeUndefined();
    const answeredAt = Date.now();
    while ((!closes.has('a') || !closes.has('b')) && Date.now() - answeredAt < CLOSE_WITHIN_MS) await new Promise((resolve) => setTimeout(resolve, 10));
    expect([closes.get('a'), closes.get('b')]).toEqual([4403, 4403]);

    for (const server of [a, b]) {
      for (const token of [target.token, onB]) {
        const refused = await server.gql(VIEWER_ROLE, {}, token);
        expect(refused.status).toBe(401);
        expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);
      }
      const logIn = await server.gql(LOG_IN, { input: { email, password: 'correct horse battery' } });
      expect(logIn.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN', reason: 'SUSPENDED', suspendedUntil: null } })]);
    }
    expect(closes.has('bystander')).toBe(false);
  });
});
