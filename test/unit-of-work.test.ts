/**
 * The SQLite driver shares one connection: without the serialized unit of
 * work, concurrent transactions fail with "cannot start a transaction within
 * a transaction" and one request's rollback erases the others' writes.
 */
import { CAST_VOTE, CREATE_POLL, CREATE_THREAD } from './helpers/documents';
import { startTestServer, TestServer } from './helpers/server';

describe('serialized unit of work on SQLite', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('commits 50 concurrent mutations of different members while failing units of work roll back only themselves', async () => {
    const members = await Promise.all(Array.from({ length: 50 }, (_, i) => t.signUp({ title: `Member ${i}` })));
    const poll = await t.gql(CREATE_POLL, { input: { title: 'Concurrency poll', options: ['Yes', 'No'] } }, members[0].token);
    const { id: pollId, options } = poll.data!.createPoll.poll;

    // Units of work that write and then fail, interleaved with the requests:
    // their rollback must not take anybody else's committed write with it.
    const failing = Array.from({ length: 10 }, (_, i) =>
      t.probe.db.write(async ({ manager }) => {
        await manager.query(`INSERT INTO topics (slug, name, post_count) VALUES ('doomed-${i}', 'Doomed ${i}', 0)`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error(`unit ${i} fails after writing`);
      }),
    );
    const writes = members.map((member, i) =>
      i % 2 === 0
        ? t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[i % 4 === 0 ? 0 : 1].id] } }, member.token)
        : t.gql(CREATE_THREAD, { input: { title: `Thread ${i}`, body: 'Written concurrently', topics: ['Load'] } }, member.token),
    );
    const [failures, responses] = await Promise.all([Promise.allSettled(failing), Promise.all(writes)]);

    expect(failures.every((outcome) => outcome.status === 'rejected')).toBe(true);
    for (const response of responses) expect(response.errors).toBeUndefined();

    const check = await t.gql(CHECK, { pollId });
    expect(check.data.poll.results.participantCount).toBe(25);
    expect(check.data.poll.results.totalVotes).toBe(25);
    expect(check.data.poll.results.options.map((o: { voteCount: number }) => o.voteCount)).toEqual([13, 12]);
    expect(check.data.posts.totalCount).toBe(25);
    expect(check.data.topic.postCount).toBe(25);
    expect(check.data.topics.some((topic: { slug: string }) => topic.slug.startsWith('doomed'))).toBe(false);
  });

  it('publishes domain events only after commit: a rolled-back write announces nothing', async () => {
    const seen: unknown[] = [];
    const unsubscribe = t.probe.events.subscribe((event) => seen.push(event));
    try {
      await expect(
        t.probe.db.write(async ({ publishAfterCommit }) => {
          publishAfterCommit({ type: 'postStatsChanged', postId: 1 });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(seen).toEqual([]);

      await t.probe.db.write(async ({ publishAfterCommit }) => publishAfterCommit({ type: 'postStatsChanged', postId: 1 }));
      expect(seen).toEqual([{ type: 'postStatsChanged', postId: 1 }]);
    } finally {
      unsubscribe();
    }
  });

  it('keeps serving reads while writes queue up', async () => {
    const member = await t.signUp();
    const writes = Array.from({ length: 30 }, (_, i) => t.gql(CREATE_THREAD, { input: { title: `Queued ${i}`, body: 'x', topics: ['Queue'] } }, member.token));
    const reads = Array.from({ length: 30 }, () => t.gql(`{ topics { slug postCount } }`));
    const all = await Promise.all([...writes, ...reads]);
    for (const response of all) expect(response.errors).toBeUndefined();
    const topic = await t.gql(`{ topic(slug: "queue") { postCount } }`);
    expect(topic.data.topic.postCount).toBe(30);
  });
});

const CHECK = `
  query ($pollId: ID!) {
    poll: post(id: $pollId) { ... on Poll { results { participantCount totalVotes options { voteCount } } } }
    posts(kind: THREAD, topicSlug: "load") { totalCount }
    topic(slug: "load") { postCount }
    topics { slug }
  }
`;
