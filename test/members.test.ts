import { SIGN_UP } from './helpers/documents';
import { codesOf, startTestServer, TestServer } from './helpers/server';

describe('members: sign-up, log-in, tokens', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('signs up, shows the byline, and never exposes the e-mail', async () => {
    const { token, id } = await t.signUp({ email: '  Pat.Lee@Example.TEST ', title: 'CSO', industry: null, companySize: 'SELF_EMPLOYED' });
    const viewer = await t.gql(`{ viewer { id title industry companySize byline joinedAt } }`, {}, token);
    expect(viewer.data.viewer).toMatchObject({ id, title: 'CSO', industry: null, companySize: 'SELF_EMPLOYED', byline: 'CSO, Self-employed' });
    const email = await t.gql(`{ viewer { email } }`, {}, token);
    expect(codesOf(email)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('normalises e-mail: the same address in another case is taken', async () => {
    await t.signUp({ email: 'dup@example.test' });
    const again = await t.gql(SIGN_UP, { input: { ...NEW_MEMBER, email: 'DUP@Example.test' } });
    expect(codesOf(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0].extensions!.field).toBe('input.email');
  });

  it.each([
    ['input.password', { password: 'short' }],
    ['input.email', { email: 'not-an-address' }],
    ['input.title', { title: '   ' }],
    ['input.title', { title: 'x'.repeat(101) }],
    ['input.title', { title: 'Bad\u0007title' }],
    ['input.industry', { industry: 'y'.repeat(101) }],
  ])('refuses invalid sign-up input on %s', async (field, change) => {
    const result = await t.gql(SIGN_UP, { input: { ...NEW_MEMBER, email: `v${Math.random()}@example.test`, ...change } });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0].extensions!.field).toBe(field);
  });

  it('refuses an unknown company size as a GraphQL input error', async () => {
    const result = await t.gql(SIGN_UP, { input: { ...NEW_MEMBER, companySize: 'HUGE' } });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('logs in; unknown e-mail and wrong password give the same UNAUTHENTICATED error', async () => {
    await t.signUp({ email: 'login@example.test' });
    const ok = await t.gql(LOG_IN, { input: { email: 'LOGIN@example.test', password: 'correct horse battery' } });
    expect(ok.data.logIn.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const wrong = await t.gql(LOG_IN, { input: { email: 'login@example.test', password: 'wrong password!' } });
    const unknown = await t.gql(LOG_IN, { input: { email: 'nobody@example.test', password: 'correct horse battery' } });
    expect(codesOf(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
  });

  it('logOut revokes the token everywhere; a revoked or invalid token is UNAUTHENTICATED, never anonymous', async () => {
    const { token } = await t.signUp();
    const second = await t.gql(LOG_IN, { input: { email: `member-second-${Date.now()}@example.test`, password: 'x' } });
    expect(codesOf(second)).toEqual(['UNAUTHENTICATED']);

    expect((await t.gql(`mutation { logOut }`, {}, token)).data).toEqual({ logOut: true });
    const after = await t.gql(`{ viewer { id } }`, {}, token);
    expect(after.status).toBe(401);
    expect(codesOf(after)).toEqual(['UNAUTHENTICATED']);

    const garbage = await t.gql(`{ viewer { id } }`, {}, 'x'.repeat(43));
    expect(codesOf(garbage)).toEqual(['UNAUTHENTICATED']);
    const malformed = await t.gql(`{ viewer { id } }`, {}, null, { authorization: 'Basic abc' });
    expect(codesOf(malformed)).toEqual(['UNAUTHENTICATED']);

    expect((await t.gql(`mutation { logOut }`)).data).toEqual({ logOut: false });
    expect((await t.gql(`{ viewer { id } }`)).data).toEqual({ viewer: null });
  });

  it('keeps other sessions of the member alive when one logs out', async () => {
    await t.signUp({ email: 'two-sessions@example.test' });
    const a = (await t.gql(LOG_IN, { input: { email: 'two-sessions@example.test', password: 'correct horse battery' } })).data.logIn.token;
    const b = (await t.gql(LOG_IN, { input: { email: 'two-sessions@example.test', password: 'correct horse battery' } })).data.logIn.token;
    await t.gql(`mutation { logOut }`, {}, a);
    expect(codesOf(await t.gql(`{ viewer { id } }`, {}, a))).toEqual(['UNAUTHENTICATED']);
    expect((await t.gql(`{ viewer { title } }`, {}, b)).data.viewer.title).toBe('Director of IT');
  });
});

const LOG_IN = `mutation LogIn($input: LogInInput!) { logIn(input: $input) { token member { id } } }`;
const NEW_MEMBER = {
  email: 'someone@example.test',
  password: 'correct horse battery',
  title: 'Head of Data',
  industry: 'Banking',
  companySize: 'EMPLOYEES_11_TO_50',
};
