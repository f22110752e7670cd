/**
 * Group commit on SQLite (src/db/writer-queue.ts, SqliteTransactions.runBatch): the writes that
 * queue up while the writer is busy share one transaction and one COMMIT, yet each is still
 * acknowledged only when that COMMIT succeeded, and one failing write fails alone. The writer is
 * held by a write of the test's own until every vote is queued, so the votes form one batch.
 * Stored rows are read through a second, independent connection and after a restart, never only
 * through the server that might see its own uncommitted writes.
 */
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { fromGlobalId } from '../src/graphql/global-id';
import { CAST_VOTE, CLOSE_POLL, CREATE_POLL } from './helpers/documents';
import { disposeTestLeftovers, temporaryDirectory } from './helpers/leftovers';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

const diskFull = () => Object.assign(new Error('SQLITE_FULL: database or disk is full'), { errno: 13, code: 'SQLITE_FULL' });

interface Poll {
  id: string;
  options: Array<{ id: string }>;
}

describe('group commit on SQLite: one COMMIT for the writes that queued up, each acknowledged on its own', () => {
  let dir: string;
  let file: string;
  let t: TestServer;
  let author: { token: string; id: string };
  let voters: Array<{ token: string; id: string }>;
  let poll: Poll;
  let commits: number;

  beforeEach(async () => {
    dir = temporaryDirectory('peer-community-group-commit-');
    file = path.join(dir, 'community.sqlite');
    t = await startTestServer({ database: `sqlite:${file}` });
    author = await t.signUp();
    voters = await Promise.all(Array.from({ length: 12 }, () => t.signUp()));
    poll = await createPoll('Which one?');
    commits = 0;
    t.probe.db.injectFault('COMMIT', async (execute) => {
      commits++;
      await execute('COMMIT');
    });
  });
  afterEach(disposeTestLeftovers);

  async function createPoll(title: string): Promise<Poll> {
    const response = await t.gql(CREATE_POLL, { input: { title, options: ['A', 'B', 'C'] } }, author.token);
    expect(response.errors).toBeUndefined();
    return response.data!.createPoll.poll;
  }

  const vote = (voter: { token: string }, pollId: string, optionId: string) => t.gql(CAST_VOTE, { input: { pollId, optionIds: [optionId] } }, voter.token);

  /**
   * Holds the writer with a write of the test's own while `send` queues requests, releases it once
   * `queued` units of work wait behind it, and returns the requests' responses. What queued while
   * the writer was held runs as one batch.
   */
  /** Resolves once `count` units of work wait for the writer. */
  async function whenQueued(count: number): Promise<void> {
    for (const deadline = Date.now() + 10_000; t.probe.db.queueLength < count;) {
      if (Date.now() > deadline) throw new Error(`only ${t.probe.db.queueLength} of ${count} units of work queued`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async function asOneBatch<T>(queued: number, send: () => Array<Promise<T>>, batchCommits = 1): Promise<T[]> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holder = t.probe.db.write(async () => {
      holding();
      await gate;
    });
    await held;
    const requests = send();
    await whenQueued(queued);
    const commitsBefore = commits;
    release();
    await holder;
    const responses = await Promise.all(requests);
    // The holder's own COMMIT, then one for the whole batch (none when the batch failed before it).
    expect(commits - commitsBefore).toBe(1 + batchCommits);
    return responses;
  }

  it('a vote on a closed poll, a bad option and a unit that wrote then threw fail alone; the other votes of the batch are stored and acknowledged', async () => {
    const closed = await createPoll('Closed already');
    expect((await t.gql(CLOSE_POLL, { input: { pollId: closed.id } }, author.token)).errors).toBeUndefined();
    const other = await createPoll('Another poll');
    const pollRowId = fromGlobalId(poll.id)!.id;
    let thrower: Promise<unknown> = Promise.resolve();

    const responses = await asOneBatch(voters.length + 1, () => {
      const requests: Array<Promise<GraphQLResponse<unknown>>> = voters.map((voter, i) => {
        if (i === 3) return vote(voter, closed.id, closed.options[0].id);
        if (i === 6) return vote(voter, poll.id, other.options[0].id);
        return vote(voter, poll.id, poll.options[i % 3].id);
      });
      // In the middle of the batch: a unit that moves the poll's counts, then fails. Its savepoint undoes the move.
      thrower = whenQueued(5).then(() =>
        t.probe.db.write(async ({ manager }) => {
          await manager.query('UPDATE poll_options SET vote_count = vote_count + 100 WHERE poll_id = ?', [pollRowId]);
          throw new Error('fails after writing');
        }),
      );
      return requests;
    });
    await expect(thrower).rejects.toThrow('fails after writing');

    expect(codesOf(responses[3])).toEqual(['POLL_CLOSED']);
    expect(codesOf(responses[6])).toEqual(['BAD_USER_INPUT']);
    const stored = voters.map((_, i) => i).filter((i) => i !== 3 && i !== 6);
    for (const i of stored) expect(responses[i].errors).toBeUndefined();
    const expected = [0, 1, 2].map((option) => stored.filter((i) => i % 3 === option).length);

    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: stored.length, counts: expected });
    expect(await tallyOnDisk(file, fromGlobalId(closed.id)!.id)).toEqual({ votes: 0, counts: [0, 0, 0] });
    await restart();
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: stored.length, counts: expected });
  });

  it('a failed COMMIT of a batch acknowledges none of its votes, none is stored after a restart, and later writes commit', async () => {
    const pollRowId = fromGlobalId(poll.id)!.id;
    let clear = () => {};
    const responses = await asOneBatch(voters.length, () => {
      // From the batch's COMMIT on (the holder's own COMMIT comes first): the disk is full, SQLite rolls back.
      let seen = 0;
      clear = t.probe.db.injectFault('COMMIT', async (execute) => {
        commits++;
        if (seen++ === 0) return execute('COMMIT');
        await execute('ROLLBACK');
        throw diskFull();
      });
      return voters.map((voter, i) => vote(voter, poll.id, poll.options[i % 3].id));
    });
    for (const response of responses) expect(codesOf(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: 0, counts: [0, 0, 0] });
    clear();

    await restart();
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: 0, counts: [0, 0, 0] });
    const later = await Promise.all(voters.map((voter, i) => vote(voter, poll.id, poll.options[i % 3].id)));
    for (const response of later) expect(response.errors).toBeUndefined();
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: voters.length, counts: [4, 4, 4] });
  });

  it.each([
    ['and reports it', true],
    ['behind a unit that swallows the error', false],
  ])('when SQLite ends the transaction in the middle of a batch %s, none of the batch is acknowledged or stored; later writes commit', async (_, throws) => {
    const pollRowId = fromGlobalId(poll.id)!.id;
    let lost: Promise<unknown> = Promise.resolve();
    const responses = await asOneBatch(
      voters.length + 1,
      () => {
        const requests = voters.map((voter, i) => vote(voter, poll.id, poll.options[i % 3].id));
        // What a full disk does to a statement: SQLite rolls the whole transaction back, then reports SQLITE_FULL.
        lost = whenQueued(5).then(() =>
          t.probe.db.write(async ({ manager }) => {
            await manager.query('ROLLBACK');
            if (throws) throw diskFull();
          }),
        );
        return requests;
      },
      0,
    );
    await expect(lost).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    for (const response of responses) expect(codesOf(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: 0, counts: [0, 0, 0] });

    const later = await Promise.all(voters.map((voter, i) => vote(voter, poll.id, poll.options[i % 3].id)));
    for (const response of later) expect(response.errors).toBeUndefined();
    await restart();
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: voters.length, counts: [4, 4, 4] });
  });

  it("a unit's own nested transaction (TypeORM savepoint) rolls back inside the batch without undoing the others", async () => {
    const pollRowId = fromGlobalId(poll.id)!.id;
    let nested: Promise<unknown> = Promise.resolve();
    const responses = await asOneBatch(voters.length + 1, () => {
      const requests = voters.map((voter, i) => vote(voter, poll.id, poll.options[i % 3].id));
      nested = whenQueued(5).then(() =>
        t.probe.db.write(async ({ manager }) => {
          await manager
            .transaction(async (inner) => {
              await inner.query('UPDATE poll_options SET vote_count = vote_count + 100 WHERE poll_id = ?', [pollRowId]);
              throw new Error('inner failure');
            })
            .catch(() => undefined);
          await manager.query('UPDATE poll_options SET vote_count = vote_count + 0 WHERE poll_id = ?', [pollRowId]);
          return 'kept';
        }),
      );
      return requests;
    });
    await expect(nested).resolves.toBe('kept');
    for (const response of responses) expect(response.errors).toBeUndefined();
    await restart();
    expect(await tallyOnDisk(file, pollRowId)).toEqual({ votes: voters.length, counts: [4, 4, 4] });
  });

  async function restart(): Promise<void> {
    await t.stop();
    t = await startTestServer({ database: `sqlite:${file}` });
  }
});

describe('castVote under a burst', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(disposeTestLeftovers);

  it('300 members voting at once, 50 in flight: every vote acknowledged and the tallies exact', async () => {
    const author = await t.signUp();
    const voters: Array<{ token: string }> = [];
    for (let i = 0; i < 300; i += 25) voters.push(...(await Promise.all(Array.from({ length: 25 }, () => t.signUp()))));
    const poll = (await t.gql(CREATE_POLL, { input: { title: 'Burst', options: ['A', 'B', 'C'] } }, author.token)).data!.createPoll.poll;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < voters.length; i = next++) {
        const response = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[i % 3].id] } }, voters[i].token);
        expect(response.errors).toBeUndefined();
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const results = (await t.gql(RESULTS, { id: poll.id })).data.post.results;
    expect(results.participantCount).toBe(300);
    expect(results.totalVotes).toBe(300);
    expect(results.options.map((option: { voteCount: number }) => option.voteCount)).toEqual([100, 100, 100]);
    // 300 sign-ups (scrypt) dominate, slower still on a shared machine.
  }, 180_000);
});

/** Votes of a poll committed to `file` and its options' counts (option order), read by another connection. */
async function tallyOnDisk(file: string, pollId: number): Promise<{ votes: number; counts: number[] }> {
  const reader = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
  const all = <R>(sql: string) =>
    new Promise<R[]>((resolve, reject) => reader.all(sql, [pollId], (error, rows) => (error ? reject(error) : resolve(rows as R[]))));
  try {
    const [{ votes }] = await all<{ votes: number }>('SELECT COUNT(*) AS votes FROM poll_votes WHERE poll_id = ?');
    const counts = await all<{ vote_count: number }>('SELECT vote_count FROM poll_options WHERE poll_id = ? ORDER BY id');
    return { votes, counts: counts.map((row) => row.vote_count) };
  } finally {
    await new Promise<void>((resolve) => reader.close(() => resolve()));
  }
}

const RESULTS = `query ($id: ID!) { post(id: $id) { ... on Poll { results { participantCount totalVotes options { voteCount } } } } }`;
