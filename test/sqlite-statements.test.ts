/**
 * On SQLite, statements are prepared once and kept (src/db/statement-cache.ts, on the readers and
 * on the writer), which only pays when the same text comes again: numbers are bound as parameters
 * rather than written into the SQL, and IN lists are padded to a few lengths
 * (src/db/sqlite-parameters.ts). A vote is the same statement texts for every member and every
 * poll, the writer keeps a bounded set of statements however many votes it serves, and padded
 * lists answer exactly as unpadded ones.
 */
import path from 'node:path';
import { CAST_VOTE, CREATE_POLL } from './helpers/documents';
import { temporaryDirectory } from './helpers/leftovers';
import { isSchedulerLookup, startTestServer, TestServer } from './helpers/server';

/** A SQLite file of its own: what is tested is SQLite's, so these run in the PostgreSQL pass too (on SQLite). */
const sqliteFile = () => `sqlite:${path.join(temporaryDirectory('peer-community-statements-'), 'community.sqlite')}`;

describe('SQLite statement texts and kept statements', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ database: sqliteFile(), env: { SQLITE_READERS: '2' } });
  });

  async function poll(title: string, token: string): Promise<{ id: string; options: Array<{ id: string }> }> {
    const created = await t.gql(CREATE_POLL, { input: { title, options: ['Yes', 'No', 'Later'], topics: ['Cloud'] } }, token);
    expect(created.errors).toBeUndefined();
    return created.data!.createPoll.poll;
  }

  /** The SQL texts one request sends, in order, but the poll-closing scheduler's (isSchedulerLookup). */
  async function textsOf(request: () => Promise<unknown>): Promise<string[]> {
    t.probe.queryLog.captured = [];
    try {
      await request();
      return t.probe.queryLog.captured.filter((text) => !isSchedulerLookup(text));
    } finally {
      t.probe.queryLog.captured = null;
    }
  }

  it('sends the same statement texts for a vote whoever votes, on whichever poll and option, with no id written into them', async () => {
    const author = await t.signUp();
    const [first, second] = [await poll('Which cloud first?', author.token), await poll('Which cloud second?', author.token)];
    const [ann, bob] = [await t.signUp(), await t.signUp()];
    const vote = (token: string, pollId: string, optionId: string) => async () => {
      const answer = await t.gql(CAST_VOTE, { input: { pollId, optionIds: [optionId] } }, token);
      expect(answer.errors).toBeUndefined();
    };
    const annsVote = await textsOf(vote(ann.token, first.id, first.options[0].id));
    const bobsVote = await textsOf(vote(bob.token, second.id, second.options[2].id));
    expect(annsVote.length).toBeGreaterThan(4);
    expect(bobsVote).toEqual(annsVote);
    for (const text of annsVote) expect(text).not.toMatch(/=\s*\d+\b|VALUES \(\d/);
    // The smaller set of issue 12: the poll is read once (the answer comes from that read, not from a
    // read after its UPDATE), and a joining vote moves the breakdown counters in one statement.
    expect(annsVote.filter((text) => /FROM "posts"/.test(text))).toHaveLength(1);
    expect(annsVote.slice(annsVote.findIndex((text) => text.startsWith('UPDATE "posts"')) + 1)).toEqual(['COMMIT']);
    expect(annsVote.filter((text) => text.includes('poll_breakdown_buckets'))).toHaveLength(1);
  });

  it('keeps a bounded set of statements on the writer however many votes it serves, and the tallies stay exact', async () => {
    const author = await t.signUp();
    const target = await poll('Which SIEM?', author.token);
    const voters = await Promise.all(Array.from({ length: 24 }, () => t.signUp()));
    const castBy = (from: number, to: number) =>
      Promise.all(
        voters.slice(from, to).map(async (voter, index) => {
          const answer = await t.gql(CAST_VOTE, { input: { pollId: target.id, optionIds: [target.options[(from + index) % 3].id] } }, voter.token);
          expect(answer.errors).toBeUndefined();
        }),
      );
    // The first dozen votes include every kind of breakdown publication (the 5th publishes `other` and
    // promotes the voters' group, the 10th publishes the group again): their texts are kept too.
    await castBy(0, 12);
    const keptAfterFew = t.probe.db.statementsKept.writer;
    expect(keptAfterFew).toBeGreaterThan(0);
    await castBy(12, 24);
    expect(t.probe.db.statementsKept.writer).toBe(keptAfterFew);
    const results = await t.gql<{ node: { results: { participantCount: number; options: Array<{ voteCount: number }> } } }>(
      `query ($id: ID!) { node(id: $id) { ... on Poll { results { participantCount options { voteCount } } } } }`,
      { id: target.id },
      author.token,
    );
    expect(results.data?.node.results.participantCount).toBe(24);
    expect(results.data?.node.results.options.map((option) => option.voteCount)).toEqual([8, 8, 8]);
  });

  it('pads IN lists to one text per power of two, with the same rows as the list itself', async () => {
    const read = (ids: number[]) =>
      t.probe.db.read((manager) =>
        manager.createQueryBuilder().select('m.id', 'id').from('members', 'm').where('m.id IN (:...ids)', { ids }).orderBy('m.id').getRawMany<{ id: number }>(),
      );
    const members = await Promise.all(Array.from({ length: 14 }, () => t.signUp()));
    const ids = members.map((member) => Number(Buffer.from(member.id, 'base64url').toString('utf8').split(':')[1])).sort((a, b) => a - b);
    let rows13: Array<{ id: number }> = [];
    let rows14: Array<{ id: number }> = [];
    const [text13] = await textsOf(async () => (rows13 = await read(ids.slice(0, 13))));
    const [text14] = await textsOf(async () => (rows14 = await read(ids)));
    expect(text13).toBe(text14);
    expect(rows13.map((row) => Number(row.id))).toEqual(ids.slice(0, 13));
    expect(rows14.map((row) => Number(row.id))).toEqual(ids);
  });
});
