/**
 * changePassword revokes every other session of the member, and that reaches
 * the sockets already open with them: each is closed with 4403 within a
 * second, on the instance that served the change and, through Redis, on every
 * other one, while the socket of the token that changed the password stays
 * open and keeps receiving.
 */
import type { Client } from 'graphql-ws';
import { ADD_UPVOTE, CREATE_THREAD, PostStatsMessage, WATCH_STATS } from './helpers/documents';
import { collect, Collected, connect } from './helpers/live';
import { CHANGE_PASSWORD, LOG_IN } from './helpers/live-edits-documents';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL } from './helpers/scale';
import { startTestServer, TestServer } from './helpers/server';

/** What the authoring part promises: every socket of a revoked token is closed within a second. */
const CLOSE_WITHIN_MS = 1000;
const PASSWORD = 'correct horse battery';

/** A socket watching a post's counters, as a member's browser tab holds it, and how it closed (if it did). */
interface Tab {
  client: Client;
  closedWith: number | null;
  stats: Collected<{ postStatsUpdated: PostStatsMessage }>;
}

async function openTab(server: TestServer, token: string, postId: string): Promise<Tab> {
  const tab: Partial<Tab> & { closedWith: number | null } = { closedWith: null };
  tab.client = connect(server, token, { onClose: (code) => (tab.closedWith ??= code) });
  tab.stats = collect(tab.client, WATCH_STATS, { id: postId });
  await tab.stats.until((messages) => messages.length === 1);
  return tab as Tab;
}

/** Resolves once `tab` was closed, or fails when that took longer than CLOSE_WITHIN_MS from now. */
async function closedWithinASecond(tab: Tab): Promise<number> {
  const deadline = Date.now() + CLOSE_WITHIN_MS;
  while (tab.closedWith === null) {
    if (Date.now() > deadline) throw new Error(`the socket was still open ${CLOSE_WITHIN_MS} ms after changePassword`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return tab.closedWith;
}

let emails = 0;

/** A member with three sessions (three logIns of the same account). */
async function memberWithThreeSessions(server: TestServer): Promise<string[]> {
  const email = `password${++emails}-${process.pid}-${Date.now()}@example.test`;
  const first = await server.signUp({ email });
  const logIn = async () => (await server.gql(LOG_IN, { input: { email, password: PASSWORD } })).data!.logIn.token;
  return [first.token, await logIn(), await logIn()];
}

async function newThread(server: TestServer): Promise<string> {
  const author = await server.signUp();
  return (await server.gql(CREATE_THREAD, { input: { title: 'Password managers for teams?', body: 'Which one?' } }, author.token)).data!.createThread.thread.id;
}

/** The member changes the password with `token`; the other two sessions are revoked. */
async function changePassword(server: TestServer, token: string): Promise<void> {
  const result = await server.gql(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'a much longer passphrase' } }, token);
  expect(result.errors).toBeUndefined();
  expect(result.data!.changePassword.revokedTokenCount).toBe(2);
}

/** The tab still receives: an upvote of the post reaches it. */
async function stillReceives(server: TestServer, tab: Tab, postId: string): Promise<void> {
  const upvoter = await server.signUp();
  await server.gql(ADD_UPVOTE, { input: { subjectId: postId } }, upvoter.token);
  await tab.stats.until((messages) => messages.some((message) => message.data!.postStatsUpdated.upvoteCount === 1));
  expect(tab.closedWith).toBeNull();
}

describe('changePassword on open sockets, one instance', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it("closes the other sessions' sockets with 4403 within a second; the requesting token's socket stays open", async () => {
    const postId = await newThread(t);
    const [requester, second, third] = await memberWithThreeSessions(t);
    const own = await openTab(t, requester, postId);
    const revoked = await Promise.all([openTab(t, second, postId), openTab(t, third, postId), openTab(t, second, postId)]);

    await changePassword(t, requester);
    expect(await Promise.all(revoked.map(closedWithinASecond))).toEqual([4403, 4403, 4403]);
    await stillReceives(t, own, postId);
  });
});

const SCALE_SUITE = 'changePassword on open sockets, two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALE_SUITE)(SCALE_SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const start = () => startTestServer({ database: database.url, env: { REDIS_URL: SCALE_REDIS_URL } });
    a = await start();
    b = await start();
    for (const server of [a, b]) expect(await server.probe.relay()!.ready(5000)).toBe(true);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  }, 30_000);

  it("a change on A closes the other sessions' sockets on A and B with 4403 within a second; the requester's stay open on both", async () => {
    const postId = await newThread(a);
    const [requester, second, third] = await memberWithThreeSessions(a);
    const ownOnA = await openTab(a, requester, postId);
    const ownOnB = await openTab(b, requester, postId);
    const revoked = await Promise.all([openTab(b, second, postId), openTab(b, third, postId), openTab(a, third, postId)]);

    await changePassword(a, requester);
    expect(await Promise.all(revoked.map(closedWithinASecond))).toEqual([4403, 4403, 4403]);
    await stillReceives(a, ownOnB, postId);
    await ownOnA.stats.until((messages) => messages.some((message) => message.data!.postStatsUpdated.upvoteCount === 1));
    expect(ownOnA.closedWith).toBeNull();
  }, 30_000);
});
