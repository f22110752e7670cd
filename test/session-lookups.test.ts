/**
 * The token check of requests that arrive together is one statement (src/modules/member/
 * session-lookups.ts), and batching changes no answer: each request is answered for its own
 * token, a revoked or unknown token among them is UNAUTHENTICATED, a logOut is seen by the very
 * next request, and a role change by the next request too.
 */
import { VIEWER } from './helpers/delete-documents';
import { startTestServer, TestServer } from './helpers/server';

const LOG_OUT = `mutation { logOut }`;
const SESSION_LOOKUP = /\bIN \(/;

describe('token checks of concurrent requests', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });

  it('answers each of many concurrent requests for its own token, refusing the revoked and unknown ones', async () => {
    const members = await Promise.all(Array.from({ length: 12 }, (_, i) => t.signUp({ title: `Title ${i}` })));
    const revoked = members[3];
    expect((await t.gql(LOG_OUT, {}, revoked.token)).data).toEqual({ logOut: true });
    const unknown = 'x'.repeat(43);
    // Every member twice (two requests of one token in one batch), plus the revoked and the unknown token.
    const tokens = [...members, ...members].map((member) => member.token).concat([revoked.token, unknown]);
    const answers = await Promise.all(tokens.map((token) => t.gql(VIEWER, {}, token)));
    answers.forEach((answer, index) => {
      const token = tokens[index];
      const member = members.find((each) => each.token === token);
      if (token === unknown || token === revoked.token) {
        expect(answer.data).toBeUndefined();
        expect(answer.errors?.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
      } else {
        expect(answer.errors).toBeUndefined();
        expect(answer.data?.viewer?.id).toBe(member?.id);
        expect(answer.data?.viewer?.title).toBe(`Title ${members.indexOf(member!)}`);
      }
    });
  });

  it('looks up the tokens asked for in one turn of the event loop with one statement', async () => {
    const members = await Promise.all(Array.from({ length: 5 }, () => t.signUp()));
    t.probe.queryLog.captured = [];
    const tokenHashes = members.map((member) => t.probe.services.members.authenticate(member.token));
    const viewers = await Promise.all(tokenHashes);
    const sent = t.probe.queryLog.captured;
    t.probe.queryLog.captured = null;
    expect(viewers.map((viewer) => viewer.member.id)).toEqual(
      members.map((member) => Number(Buffer.from(member.id, 'base64url').toString('utf8').split(':')[1])),
    );
    expect(sent.filter((sql) => SESSION_LOOKUP.test(sql))).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('sees a logOut from the very next request, however many requests are in flight', async () => {
    const [member, other] = await Promise.all([t.signUp(), t.signUp()]);
    const before = await Promise.all([t.gql(VIEWER, {}, member.token), t.gql(VIEWER, {}, other.token)]);
    expect(before.map((answer) => answer.data?.viewer?.id)).toEqual([member.id, other.id]);
    expect((await t.gql(LOG_OUT, {}, member.token)).data).toEqual({ logOut: true });
    const after = await Promise.all([t.gql(VIEWER, {}, member.token), t.gql(VIEWER, {}, other.token)]);
    expect(after[0].errors?.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(after[1].data?.viewer?.id).toBe(other.id);
  });
});
