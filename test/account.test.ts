/**
 * A member manages their own account (authoring part of the API): updateProfile changes the
 * byline everywhere, old content included; changePassword checks the current password, keeps
 * this request's token and revokes every other one (HTTP UNAUTHENTICATED, open sockets closed
 * with 4403 within a second), and logIn then takes the new password only.
 */
import type { Client } from 'graphql-ws';
import { connect } from './helpers/live';
import { CREATE_THREAD, typed } from './helpers/documents';
import { codesOf, startTestServer, TestServer } from './helpers/server';

const PASSWORD = 'correct horse battery';

describe('updateProfile', () => {
  let t: TestServer;
  let member: { token: string; id: string };
  beforeAll(async () => {
    t = await startTestServer();
    member = await t.signUp({ title: 'Director of IT', industry: 'Software', companySize: 'EMPLOYEES_201_TO_500' });
  });

  it('is refused without a token', async () => {
    expect(codesOf(await t.gql(UPDATE_PROFILE, { input: { title: 'CIO' } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('changes the byline everywhere, old posts included, and leaves omitted fields as they were', async () => {
    const thread = await t.gql(CREATE_THREAD, { input: { title: 'Written before the new job', body: 'Old content.' } }, member.token);
    const postId = thread.data!.createThread!.thread.id;

    const changed = await t.gql(UPDATE_PROFILE, { input: { title: '  Chief Information Officer ', companySize: 'EMPLOYEES_1001_TO_5000' } }, member.token);
    expect(changed.errors).toBeUndefined();
    expect(changed.data!.updateProfile!.member).toEqual({
      id: member.id,
      title: 'Chief Information Officer',
      industry: 'Software',
      companySize: 'EMPLOYEES_1001_TO_5000',
      byline: 'Chief Information Officer in Software, 1,001 - 5,000 employees',
    });
    const post = await t.gql(POST_AUTHOR, { id: postId });
    expect(post.data!.post!.author.byline).toBe('Chief Information Officer in Software, 1,001 - 5,000 employees');
    expect((await t.gql(VIEWER, {}, member.token)).data!.viewer!.byline).toBe('Chief Information Officer in Software, 1,001 - 5,000 employees');
  });

  it('removes the industry with "", keeps everything with an empty input', async () => {
    const removed = await t.gql(UPDATE_PROFILE, { input: { industry: '' } }, member.token);
    expect(removed.data!.updateProfile!.member).toMatchObject({ industry: null, byline: 'Chief Information Officer, 1,001 - 5,000 employees' });
    const unchanged = await t.gql(UPDATE_PROFILE, { input: { title: null } }, member.token);
    expect(unchanged.data!.updateProfile!.member).toMatchObject({ title: 'Chief Information Officer', industry: null });
  });

  it('refuses texts outside the limits of signUp, naming the field, and changes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: '   ' }, 'input.title'],
      [{ title: 'x'.repeat(101) }, 'input.title'],
      [{ industry: 'y'.repeat(101) }, 'input.industry'],
    ];
    for (const [input, field] of cases) {
      const response = await t.gql(UPDATE_PROFILE, { input }, member.token);
      expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions!.field).toBe(field);
    }
    expect((await t.gql(VIEWER, {}, member.token)).data!.viewer!.title).toBe('Chief Information Officer');
  });
});

describe('changePassword', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  async function signUpWithSessions(email: string): Promise<{ current: string; others: string[] }> {
    const { token } = await t.signUp({ email });
    const others = [];
    for (let i = 0; i < 2; i++) others.push((await logIn(email, PASSWORD)).data!.logIn!.token);
    return { current: token, others };
  }
  const logIn = (email: string, password: string) => t.gql(LOG_IN, { input: { email, password } });

  it('is refused without a token', async () => {
    expect(codesOf(await t.gql(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'a new passphrase' } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a wrong current password or a short new one, naming the field, and changes nothing', async () => {
    const email = 'careful@example.test';
    const { current, others } = await signUpWithSessions(email);
    const wrong = await t.gql(CHANGE_PASSWORD, { input: { currentPassword: 'not the password', newPassword: 'a new passphrase' } }, current);
    expect(codesOf(wrong)).toEqual(['BAD_USER_INPUT']);
    expect(wrong.errors![0].extensions!.field).toBe('input.currentPassword');
    const short = await t.gql(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'short' } }, current);
    expect(codesOf(short)).toEqual(['BAD_USER_INPUT']);
    expect(short.errors![0].extensions!.field).toBe('input.newPassword');

    expect((await logIn(email, PASSWORD)).errors).toBeUndefined();
    for (const token of others) expect((await t.gql(VIEWER, {}, token)).data!.viewer).not.toBeNull();
  });

  it("revokes every other token (HTTP and open sockets), keeps this request's, and logIn takes only the new password", async () => {
    const email = 'moved-on@example.test';
    const { current, others } = await signUpWithSessions(email);
    const bystander = await t.signUp();

    const closes = new Map<string, number>();
    const open = (name: string, token: string): Client => {
      const client = connect(t, token, { onClose: (code) => closes.set(name, code) });
      return client;
    };
    const sockets = { other: open('other', others[0]), current: open('current', current), bystander: open('bystander', bystander.token) };
    // A subscription each, so every socket is connected and authenticated before the change.
    const thread = await t.gql(CREATE_THREAD, { input: { title: 'Watched', body: 'x' } }, bystander.token);
    const postId = thread.data!.createThread!.thread.id;
    const firsts = Object.values(sockets).map(
      (client) =>
        new Promise<void>((resolve, reject) => {
          client.subscribe({ query: WATCH_STATS, variables: { id: postId } }, { next: () => resolve(), error: reject, complete: () => undefined });
        }),
    );
    await Promise.all(firsts);

    const changed = await t.gql(CHANGE_PASSWORD, { input: { currentPassword: PASSWORD, newPassword: 'a new passphrase' } }, current);
    expect(changed.errors).toBeUndefined();
    expect(changed.data!.changePassword!.revokedTokenCount).toBe(2);
    const answeredAt = Date.now();

    for (const token of others) {
      const refused = await t.gql(VIEWER, {}, token);
      expect(refused.status).toBe(401);
      expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);
    }
    expect((await t.gql(VIEWER, {}, current)).data!.viewer).not.toBeNull();

    while (!closes.has('other') && Date.now() - answeredAt < 1000) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closes.get('other')).toBe(4403);
    // The socket of this request's token and another member's stay open.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closes.has('current')).toBe(false);
    expect(closes.has('bystander')).toBe(false);

    expect(codesOf(await logIn(email, PASSWORD))).toEqual(['UNAUTHENTICATED']);
    expect((await logIn(email, 'a new passphrase')).errors).toBeUndefined();
  });
});

interface MemberFields {
  id: string;
  title: string;
  industry: string | null;
  companySize: string;
  byline: string;
}

const MEMBER_FIELDS = `id title industry companySize byline`;
const UPDATE_PROFILE = typed<{ updateProfile: { member: MemberFields } | null }>(
  `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { member { ${MEMBER_FIELDS} } } }`,
);
const CHANGE_PASSWORD = typed<{ changePassword: { member: { id: string }; revokedTokenCount: number } | null }>(
  `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { member { id } revokedTokenCount } }`,
);
const LOG_IN = typed<{ logIn: { token: string } | null }>(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`);
const VIEWER = typed<{ viewer: MemberFields | null }>(`{ viewer { ${MEMBER_FIELDS} } }`);
const POST_AUTHOR = typed<{ post: { author: { byline: string } } | null }>(`query ($id: ID!) { post(id: $id) { author { byline } } }`);
const WATCH_STATS = `subscription ($id: ID!) { postStatsUpdated(postId: $id) { id viewCount } }`;
