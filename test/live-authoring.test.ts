/**
 * postUpdated and commentUpdated driven by the mutations that cause them in
 * production: editThread, editPoll, editComment and deletePost. Those mutations publish postChanged and
 * commentChanged after their commit; this file checks that the live API
 * turns them into the messages the authoring part describes, on one instance
 * and across two.
 */
import type { Client } from 'graphql-ws';
import { ADD_COMMENT, CREATE_POLL, CREATE_THREAD, Document } from './helpers/documents';
import { collect, Collected, connect } from './helpers/live';
import {
  DELETE_POST,
  EDIT_COMMENT,
  EDIT_POLL,
  EDIT_THREAD,
  PostUpdatedMessage,
  WATCH_COMMENT_CHANGES,
  WATCH_POST,
  WatchedPost,
} from './helpers/live-edits-documents';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL } from './helpers/scale';
import { startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const posts = (watcher: Collected<PostUpdatedMessage>): Array<WatchedPost | null> => watcher.messages.map((m) => m.data!.postUpdated.post);
const lastPost = (watcher: Collected<PostUpdatedMessage>): WatchedPost | null => posts(watcher)[watcher.messages.length - 1];

function helpers(server: () => TestServer) {
  const mutate = async <T>(document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> => {
    const response = await server().gql(document, { input }, token);
    if (!response.data || response.errors) throw new Error(`mutation failed: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  return {
    mutate,
    thread: async (author: Member) =>
      (await mutate(CREATE_THREAD, { title: 'Title 0', body: 'How do you review access rights?', topics: ['Security'] }, author.token)).createThread.thread.id,
    poll: async (author: Member) => (await mutate(CREATE_POLL, { title: 'Which SSO?', options: ['Okta', 'Entra ID'] }, author.token)).createPoll.poll,
    comment: async (author: Member, postId: string) => (await mutate(ADD_COMMENT, { postId, body: 'Version 0' }, author.token)).addComment.comment.id,
  };
}

const SUITE = 'live edits driven by editThread, editPoll, editComment and deletePost';

describe(SUITE, () => {
  let t: TestServer;
  let author: Member;
  let reader: Member;
  const h = helpers(() => t);
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { LIVE_INTERVAL_MS: '250' } });
    [author, reader] = await Promise.all([t.signUp(), t.signUp()]);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await waitFor(() => t.probe.liveHub.feedSizes().registry === 0, 'the registry to empty');
  });

  function client(member: Member | null): Client {
    const created = connect(t, member?.token);
    clients.push(created);
    return created;
  }

  it('editThread: a burst of edits gives fewer messages, never backwards, the final title last; a topics-only edit is pushed too', async () => {
    const id = await h.thread(author);
    const watcher = collect(client(reader), WATCH_POST, { id });
    await watcher.until((m) => m.length === 1);

    for (let i = 1; i <= 10; i++) await h.mutate(EDIT_THREAD, { threadId: id, title: `Title ${i}` }, author.token);
    await watcher.until(() => lastPost(watcher)?.title === 'Title 10');
    await sleep(600);
    const titles = posts(watcher).map((post) => Number(post!.title.split(' ')[1]));
    expect(titles.length).toBeLessThan(11);
    expect([...titles].sort((a, b) => a - b)).toEqual(titles);
    expect(titles[titles.length - 1]).toBe(10);

    await h.mutate(EDIT_THREAD, { threadId: id, topics: ['Security', 'Compliance'] }, author.token);
    await watcher.until(() => lastPost(watcher)!.topics.length === 2);
    expect(lastPost(watcher)).toMatchObject({ title: 'Title 10', viewerHasUpvoted: false });
  });

  it('editPoll: new options and description are pushed', async () => {
    const poll = await h.poll(author);
    const watcher = collect(client(null), WATCH_POST, { id: poll.id });
    await watcher.until((m) => m.length === 1);
    await h.mutate(EDIT_POLL, { pollId: poll.id, description: 'Company-wide', options: ['Okta', 'Entra ID', 'Keycloak'] }, author.token);
    await watcher.until((m) => m.length === 2);
    expect(lastPost(watcher)).toMatchObject({ description: 'Company-wide', options: [{ label: 'Okta' }, { label: 'Entra ID' }, { label: 'Keycloak' }] });
  });

  it('editComment: the new body is pushed, edits of one comment conflated with the final one last', async () => {
    const id = await h.thread(author);
    const commentId = await h.comment(reader, id);
    const watcher = collect(client(author), WATCH_COMMENT_CHANGES, { id });
    await waitFor(() => t.probe.liveHub.feedSizes().commentUpdates === 1, 'the commentUpdated subscription');

    for (let i = 1; i <= 8; i++) await h.mutate(EDIT_COMMENT, { commentId, body: `Version ${i}` }, reader.token);
    await watcher.until((m) => m.some((message) => message.data!.commentUpdated.body === 'Version 8'));
    await sleep(600);
    const versions = watcher.messages.map((m) => Number(m.data!.commentUpdated.body.split(' ')[1]));
    expect(versions.length).toBeLessThan(8);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions[versions.length - 1]).toBe(8);
  });

  it('deletePost: postUpdated gets post null then complete; commentAdded, commentUpdated, postStatsUpdated, pollResultsUpdated end with NOT_FOUND', async () => {
    const poll = await h.poll(author);
    const on = client(reader);
    const post = collect(on, WATCH_POST, { id: poll.id });
    const others = [
      collect(on, WATCH_COMMENT_CHANGES, { id: poll.id }),
      collect(on, `subscription ($id: ID!) { commentAdded(postId: $id) { cursor } }`, { id: poll.id }),
      collect(on, `subscription ($id: ID!) { postStatsUpdated(postId: $id) { commentCount } }`, { id: poll.id }),
      collect(on, `subscription ($id: ID!) { pollResultsUpdated(pollId: $id) { version } }`, { id: poll.id }),
    ];
    await post.until((m) => m.length === 1);
    await waitFor(() => t.probe.liveHub.registry.size === 5, 'five subscriptions');

    await h.mutate(DELETE_POST, { postId: poll.id }, author.token);
    await post.ended(2000);
    expect(post.completed).toBe(true);
    expect(post.messages[post.messages.length - 1].data!.postUpdated).toEqual({ postId: poll.id, post: null });
    for (const watcher of others) {
      await watcher.ended(2000);
      expect(watcher.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
    }
    const late = collect(on, WATCH_POST, { id: poll.id });
    await late.ended();
    expect(late.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
  });
});

const SCALE_SUITE = 'live edits, across two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALE_SUITE)(SCALE_SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestServer;
  let b: TestServer;
  const onA = helpers(() => a);

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

  it('an edit and a deletion on A reach a postUpdated subscriber on B', async () => {
    const author = await a.signUp();
    const id = await onA.thread(author);
    const post = collect(connect(b, null), WATCH_POST, { id });
    await post.until((m) => m.length === 1);
    await onA.mutate(EDIT_THREAD, { threadId: id, title: 'Edited on A' }, author.token);
    await post.until(() => lastPost(post)?.title === 'Edited on A');
    await onA.mutate(DELETE_POST, { postId: id }, author.token);
    await post.ended();
    expect(post.completed).toBe(true);
    expect(lastPost(post)).toBeNull();
  }, 30_000);
});
