/**
 * Subscription.pollBreakdownUpdated (api/insights.graphql) over the real WebSocket: snapshot first,
 * a message per version change, nothing for a vote switch, never a group below k or a hidden figure
 * in any frame, visibility decided again for each message; and across two instances on
 * PostgreSQL + Redis.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CAST_VOTE, CLOSE_POLL, CREATE_POLL, SIGN_UP } from './helpers/documents';
import { collect, connect, rawSocket } from './helpers/live';
import { describeWithScaleServers, freshPostgresDatabase, SCALE_REDIS_URL, ServerProcess, spawnServer } from './helpers/scale';
import { startTestServer, TestServer } from './helpers/server';

const WATCH = `subscription ($id: ID!, $by: BylineDimension!) { pollBreakdownUpdated(pollId: $id, by: $by) {
  participantCount publishedParticipantCount isHidden isClosed version
  groups { label participantCount options { voteCount } }
  other { participantCount options { voteCount } }
} }`;

const LIVE_INTERVAL_MS = 100;
const settle = () => new Promise((resolve) => setTimeout(resolve, LIVE_INTERVAL_MS * 4));

interface Message {
  participantCount: number;
  publishedParticipantCount: number | null;
  isHidden: boolean;
  isClosed: boolean;
  version: number;
  groups: Array<{ label: string; participantCount: number; options: Array<{ voteCount: number | null }> }>;
  other: { participantCount: number } | null;
}

/** Every group shown has at least k participants and `other` is null or at least k, in every message. */
function expectNothingBelowK(messages: Message[], k = 5): void {
  for (const message of messages) {
    for (const group of message.groups) expect(group.participantCount).toBeGreaterThanOrEqual(k);
    if (message.other) expect(message.other.participantCount).toBeGreaterThanOrEqual(k);
  }
}

describe('pollBreakdownUpdated', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  async function createPoll(token: string, extra: Record<string, unknown> = {}) {
    const created = await t.gql(CREATE_POLL, { input: { title: 'Where do your teams work?', options: ['Office', 'Hybrid', 'Remote'], ...extra } }, token);
    expect(created.errors).toBeUndefined();
    return created.data!.createPoll.poll;
  }
  async function vote(token: string, poll: { id: string; options: Array<{ id: string }> }, option: number) {
    const voted = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[option].id] } }, token);
    expect(voted.errors).toBeUndefined();
  }
  async function voters(poll: { id: string; options: Array<{ id: string }> }, industry: string, count: number, option = 0) {
    const members: Array<{ token: string }> = [];
    for (let i = 0; i < count; i++) {
      const member = await t.signUp({ industry });
      await vote(member.token, poll, option);
      members.push(member);
    }
    return members;
  }
  const data = (messages: Array<{ data?: { pollBreakdownUpdated: Message } }>) => messages.map((m) => m.data!.pollBreakdownUpdated);

  it('sends the snapshot at once, then the published figures as they change, and nothing for a vote switch', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    const watching = collect(connect(t), WATCH, { id: poll.id, by: 'INDUSTRY' });
    await watching.until((messages) => messages.length === 1);
    expect(data(watching.messages)[0]).toMatchObject({ participantCount: 0, publishedParticipantCount: 0, groups: [], other: null, version: 1 });

    const software = await voters(poll, 'Software', 5, 1);
    await watching.until((messages) => data(messages).some((m) => m.groups.length === 1));
    const shown = data(watching.messages).find((m) => m.groups.length === 1)!;
    expect(shown.groups[0]).toEqual({ label: 'Software', participantCount: 5, options: [{ voteCount: 0 }, { voteCount: 5 }, { voteCount: 0 }] });
    await watching.until((messages) => data(messages).at(-1)!.participantCount === 5);
    await settle();
    const before = watching.messages.length;

    // A switch moves no version: nothing is sent (the next message is the following join's).
    await vote(software[0].token, poll, 2);
    await settle();
    expect(watching.messages.length).toBe(before);
    await voters(poll, 'Banking', 1);
    await watching.until((messages) => messages.length > before);
    const next = data(watching.messages)[before];
    expect(next.participantCount).toBe(6);
    expect(next.groups[0].options.map((o) => o.voteCount)).toEqual([0, 5, 0]);

    const versions = data(watching.messages).map((m) => m.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    expectNothingBelowK(data(watching.messages));
  });

  it('never sends a hidden subscriber a figure, in no raw frame, and shows the groups once the poll closes', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token, { resultsVisibility: 'ON_CLOSE' });
    const socket = await rawSocket(t);
    socket.send({ type: 'connection_init', payload: {} });
    await socket.frame((frame) => frame.type === 'connection_ack');
    socket.send({ id: 'b', type: 'subscribe', payload: { query: WATCH, variables: { id: poll.id, by: 'INDUSTRY' } } });
    await socket.frame((frame) => frame.type === 'next');
    await voters(poll, 'Software', 6, 0);
    await voters(poll, 'Banking', 5, 1);
    await socket.frame((frame) => frame.type === 'next' && frame.payload.data.pollBreakdownUpdated.participantCount === 11);
    for (const frame of socket.frames.filter((f) => f.type === 'next')) {
      expect(frame.payload.data.pollBreakdownUpdated).toMatchObject({ isHidden: true, groups: [], other: null, publishedParticipantCount: null });
    }
    for (const text of socket.rawFrames) expect(text).not.toMatch(/voteCount|"label"/);

    expect((await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token)).errors).toBeUndefined();
    const closed = await socket.frame((frame) => frame.type === 'next' && frame.payload.data.pollBreakdownUpdated.isClosed === true);
    expect(closed.payload.data.pollBreakdownUpdated).toMatchObject({
      isHidden: false,
      publishedParticipantCount: 11,
      groups: [
        { label: 'Software', participantCount: 6, options: [{ voteCount: 6 }, { voteCount: 0 }, { voteCount: 0 }] },
        { label: 'Banking', participantCount: 5, options: [{ voteCount: 0 }, { voteCount: 5 }, { voteCount: 0 }] },
      ],
      other: null,
    });
  });

  it('decides visibility again for each message: an ON_VOTE subscriber who votes gets the groups next', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token, { resultsVisibility: 'ON_VOTE' });
    await voters(poll, 'Software', 5);
    const member = await t.signUp({ industry: 'Media' });
    const watching = collect(connect(t, member.token), WATCH, { id: poll.id, by: 'INDUSTRY' });
    await watching.until((messages) => messages.length === 1);
    expect(data(watching.messages)[0]).toMatchObject({ isHidden: true, groups: [], publishedParticipantCount: null });
    await vote(member.token, poll, 1);
    await watching.until((messages) => data(messages).some((m) => !m.isHidden));
    expect(data(watching.messages).find((m) => !m.isHidden)).toMatchObject({ participantCount: 6, groups: [{ label: 'Software', participantCount: 5 }] });
  });

  it("ends at once with NOT_FOUND for a thread's id or an unknown poll", async () => {
    const client = connect(t);
    const unknown = collect(client, WATCH, { id: Buffer.from('Poll:999999').toString('base64url'), by: 'COMPANY_SIZE' });
    await unknown.ended();
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const thread = collect(client, WATCH, { id: Buffer.from('Thread:1').toString('base64url'), by: 'INDUSTRY' });
    await thread.ended();
    expect(thread.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

const SCALE_SUITE = 'pollBreakdownUpdated across two instances on PostgreSQL + Redis';

describeWithScaleServers(SCALE_SUITE)(SCALE_SUITE, () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
    [a, b] = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: database.url, REDIS_URL: SCALE_REDIS_URL })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inline documents, read freely
  async function gql<T = any>(server: ServerProcess, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  }
  let emails = 0;
  const signUp = async (server: ServerProcess, industry: string) =>
    (
      await gql(server, SIGN_UP, {
        input: { email: `breakdown${++emails}@example.test`, password: 'correct horse battery', title: 'CIO', industry, companySize: 'EMPLOYEES_51_TO_200' },
      })
    ).signUp.token as string;

  it('publishes in the transaction of votes on one instance what a subscriber of the other receives', async () => {
    const author = await signUp(a, 'Software');
    const poll = (await gql(a, CREATE_POLL, { input: { title: 'Which region?', options: ['EU', 'US'] } }, author)).createPoll.poll;
    const client = createClient({ url: b.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const watching = collect(client, WATCH, { id: poll.id, by: 'COMPANY_SIZE' });
      await watching.until((messages) => messages.length === 1);
      // Votes spread over both instances, all in one company size band.
      for (let i = 0; i < 6; i++) {
        const server = i % 2 === 0 ? a : b;
        const token = await signUp(server, i < 3 ? 'Banking' : 'Media');
        await gql(server, CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[i % 2].id] } }, token);
      }
      await watching.until((messages) => messages.at(-1)?.data?.pollBreakdownUpdated.participantCount === 6, 10_000);
      const latest = watching.messages.at(-1)!.data!.pollBreakdownUpdated as Message;
      // The fifth vote published `other`, which then became the band's group; the sixth awaits k new ones.
      expect(latest).toMatchObject({
        participantCount: 6,
        publishedParticipantCount: 5,
        groups: [{ label: '51 - 200 employees', participantCount: 5 }],
        other: null,
      });
      const onA = await gql(
        a,
        `query ($id: ID!) { node(id: $id) { ... on Poll { resultsBreakdown(by: COMPANY_SIZE) { publishedParticipantCount groups { participantCount } } } } }`,
        {
          id: poll.id,
        },
      );
      expect(onA.node.resultsBreakdown).toEqual({ publishedParticipantCount: 5, groups: [{ participantCount: 5 }] });
      expectNothingBelowK(watching.messages.map((m) => m.data!.pollBreakdownUpdated as Message));
    } finally {
      await client.dispose();
    }
  });
});
