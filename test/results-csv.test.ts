/**
 * GET /polls/<poll id>/results.csv and Poll.resultsCsvUrl (api/insights.graphql), against a real
 * server with k = 5 (the default): exact CSV bodies for a designed population (the specification's
 * figures), the export agreeing with Poll.results and Poll.resultsBreakdown while figures await
 * publication, quoting and formula safety, who may download, and every error in the order the
 * specification checks them.
 */
import { CAST_VOTE, CLOSE_POLL, CREATE_POLL, CREATE_THREAD, dbId } from './helpers/documents';
import { DELETE_POST } from './helpers/delete-documents';
import { MODERATE, setRole } from './helpers/moderation-content-documents';
import { startTestServer, TestServer } from './helpers/server';

const CSV_URL = `query ($id: ID!) { node(id: $id) { ... on Poll { resultsCsvUrl } } }`;
const BREAKDOWN = `query ($id: ID!, $by: BylineDimension!) { node(id: $id) { ... on Poll {
  results { options { label voteCount percentage } }
  resultsBreakdown(by: $by) { groups { label participantCount options { label voteCount percentage } } other { label participantCount options { label voteCount percentage } } }
} } }`;

interface Bucket {
  label: string;
  participantCount: number;
  options: Array<{ label: string; voteCount: number; percentage: number }>;
}

interface Download {
  status: number;
  headers: Headers;
  text: string;
}

describe('GET /polls/<id>/results.csv', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  async function download(path: string, token?: string | null, headers: Record<string, string> = {}): Promise<Download> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  const csvPath = (pollId: string, by?: string) => `/polls/${encodeURIComponent(pollId)}/results.csv${by === undefined ? '' : `?by=${by}`}`;

  /** An error answer: its status, code and the headers every answer must have. */
  function expectError(answer: Download, status: number, code: string): Record<string, unknown> {
    expect({ status: answer.status, contentType: answer.headers.get('content-type'), cache: answer.headers.get('cache-control') }).toEqual({
      status,
      contentType: 'application/json; charset=utf-8',
      cache: 'no-store',
    });
    const body = JSON.parse(answer.text) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe(code);
    expect(typeof body.errors[0].message).toBe('string');
    return body.errors[0].extensions;
  }

  function expectCsv(answer: Download, text: string): void {
    expect({
      status: answer.status,
      contentType: answer.headers.get('content-type'),
      disposition: answer.headers.get('content-disposition'),
      cache: answer.headers.get('cache-control'),
      text: answer.text,
    }).toEqual({ status: 200, contentType: 'text/csv; charset=utf-8', disposition: 'attachment; filename="poll-results.csv"', cache: 'no-store', text });
  }

  async function createPoll(token: string, input: Record<string, unknown> = {}) {
    const created = await t.gql(CREATE_POLL, { input: { title: 'Where do your teams work?', options: ['Office', 'Hybrid', 'Remote'], ...input } }, token);
    expect(created.errors).toBeUndefined();
    return created.data!.createPoll.poll;
  }

  async function vote(poll: { id: string; options: Array<{ id: string }> }, token: string, option: number) {
    const voted = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[option].id] } }, token);
    expect(voted.errors).toBeUndefined();
  }

  /** `count` new members of one industry and company size who each vote for `option`. */
  async function voters(poll: { id: string; options: Array<{ id: string }> }, industry: string, companySize: string, count: number, option: number) {
    for (let i = 0; i < count; i++) await vote(poll, (await t.signUp({ industry, companySize })).token, option);
  }

  async function csvUrl(pollId: string, token?: string | null): Promise<string | null> {
    const answer = await t.gql<{ node: { resultsCsvUrl: string | null } }>(CSV_URL, { id: pollId }, token);
    expect(answer.errors).toBeUndefined();
    return answer.data!.node.resultsCsvUrl;
  }

  /** Records as resultsBreakdown shows the viewer (the export must be exactly these). */
  async function breakdownRecords(pollId: string, by: string, token: string): Promise<{ plain: string[]; grouped: string[] }> {
    const answer = await t.gql<{ node: { results: { options: Bucket['options'] }; resultsBreakdown: { groups: Bucket[]; other: Bucket | null } } }>(
      BREAKDOWN,
      { id: pollId, by },
      token,
    );
    expect(answer.errors).toBeUndefined();
    const { results, resultsBreakdown } = answer.data!.node;
    const buckets = [...resultsBreakdown.groups, ...(resultsBreakdown.other ? [resultsBreakdown.other] : [])];
    return {
      plain: results.options.map((o) => `${o.label},${o.voteCount},${o.percentage}`),
      grouped: buckets.flatMap((b) => b.options.map((o) => `${b.label},${b.participantCount},${o.label},${o.voteCount},${o.percentage}`)),
    };
  }

  const lines = (...records: string[]) => records.map((record) => `${record}\r\n`).join('');

  it('exports the final figures of a closed poll: plain, by industry and by company size', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token, { resultsVisibility: 'ON_CLOSE' });
    const [OFFICE, HYBRID, REMOTE] = [0, 1, 2];
    // 12 Software, 6 Banking, 3 Healthcare + 2 Media (together `other`): the specification's population.
    await voters(poll, 'Software', 'EMPLOYEES_10001_PLUS', 2, OFFICE);
    await voters(poll, 'Software', 'EMPLOYEES_10001_PLUS', 5, HYBRID);
    await voters(poll, 'Software', 'EMPLOYEES_10001_PLUS', 3, REMOTE);
    await voters(poll, 'Software', 'EMPLOYEES_201_TO_500', 2, REMOTE);
    await voters(poll, 'Banking', 'EMPLOYEES_201_TO_500', 3, OFFICE);
    await voters(poll, 'Banking', 'EMPLOYEES_201_TO_500', 2, HYBRID);
    await voters(poll, 'Banking', 'EMPLOYEES_201_TO_500', 1, REMOTE);
    await voters(poll, 'Healthcare', 'SELF_EMPLOYED', 1, OFFICE);
    await voters(poll, 'Healthcare', 'SELF_EMPLOYED', 1, HYBRID);
    await voters(poll, 'Healthcare', 'SELF_EMPLOYED', 1, REMOTE);
    await voters(poll, 'Media', 'EMPLOYEES_2_TO_10', 2, REMOTE);
    expect((await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token)).errors).toBeUndefined();

    expectCsv(await download(csvPath(poll.id), author.token), lines('option,votes,percentage', 'Office,6,26', 'Hybrid,8,35', 'Remote,9,39'));
    expectCsv(
      await download(csvPath(poll.id, 'INDUSTRY'), author.token),
      lines(
        'group,participants,option,votes,percentage',
        'Software,12,Office,2,16',
        'Software,12,Hybrid,5,42',
        'Software,12,Remote,5,42',
        'Banking,6,Office,3,50',
        'Banking,6,Hybrid,2,33',
        'Banking,6,Remote,1,17',
        'Other,5,Office,1,20',
        'Other,5,Hybrid,1,20',
        'Other,5,Remote,3,60',
      ),
    );
    expectCsv(
      await download(csvPath(poll.id, 'COMPANY_SIZE'), author.token),
      lines(
        'group,participants,option,votes,percentage',
        '"10,001+ employees",10,Office,2,20',
        '"10,001+ employees",10,Hybrid,5,50',
        '"10,001+ employees",10,Remote,3,30',
        '201 - 500 employees,8,Office,3,38',
        '201 - 500 employees,8,Hybrid,2,25',
        '201 - 500 employees,8,Remote,3,37',
        'Other,5,Office,1,20',
        'Other,5,Hybrid,1,20',
        'Other,5,Remote,3,60',
      ),
    );

    // Closed, so a moderator may see the tallies: the same file, and the path is theirs too.
    const moderator = await t.signUp();
    await setRole(t, moderator.id, 'MODERATOR');
    expectCsv(await download(csvPath(poll.id), moderator.token), lines('option,votes,percentage', 'Office,6,26', 'Hybrid,8,35', 'Remote,9,39'));
    expect(await csvUrl(poll.id, moderator.token)).toBe(csvPath(poll.id));
  });

  it('shows, while open, exactly what resultsBreakdown shows: published figures only; the header alone before any', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    const header = 'group,participants,option,votes,percentage';
    expectCsv(await download(csvPath(poll.id, 'INDUSTRY'), author.token), lines(header));
    expectCsv(await download(csvPath(poll.id), author.token), lines('option,votes,percentage', 'Office,0,0', 'Hybrid,0,0', 'Remote,0,0'));

    await voters(poll, 'Software', 'EMPLOYEES_201_TO_500', 4, 0);
    // Four participants: nothing published for either dimension.
    expectCsv(await download(csvPath(poll.id, 'INDUSTRY'), author.token), lines(header));
    expectCsv(await download(csvPath(poll.id, 'COMPANY_SIZE'), author.token), lines(header));

    await voters(poll, 'Software', 'EMPLOYEES_201_TO_500', 1, 0);
    await voters(poll, 'Software', 'EMPLOYEES_201_TO_500', 2, 2);
    // Software was published at 5 (all Office); the two Remote votes since await four more.
    const industry = await download(csvPath(poll.id, 'INDUSTRY'), author.token);
    expectCsv(industry, lines(header, 'Software,5,Office,5,100', 'Software,5,Hybrid,0,0', 'Software,5,Remote,0,0'));
    const plain = await download(csvPath(poll.id), author.token);
    expectCsv(plain, lines('option,votes,percentage', 'Office,5,71', 'Hybrid,0,0', 'Remote,2,29'));
    const shown = await breakdownRecords(poll.id, 'INDUSTRY', author.token);
    expect(industry.text).toBe(lines(header, ...shown.grouped));
    expect(plain.text).toBe(lines('option,votes,percentage', ...shown.plain));
  });

  it('quotes labels that need it and defuses labels that begin like a formula', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token, { options: ['=SUM(A1)', 'Hybrid, "mostly"', '@home', '+1 day', '-2 days'] });
    await vote(poll, (await t.signUp()).token, 0);
    await vote(poll, (await t.signUp()).token, 1);
    expectCsv(
      await download(csvPath(poll.id), author.token),
      lines('option,votes,percentage', "'=SUM(A1),1,50", '"Hybrid, ""mostly""",1,50', "'@home,0,0", "'+1 day,0,0", "'-2 days,0,0"),
    );

    // Group labels too (an industry is free text).
    const grouped = await createPoll(author.token, { options: ['Yes', 'No'] });
    await voters(grouped, '=cmd|calc', 'EMPLOYEES_201_TO_500', 5, 0);
    await voters(grouped, 'Oil, "Gas"', 'EMPLOYEES_201_TO_500', 5, 1);
    expect((await t.gql(CLOSE_POLL, { input: { pollId: grouped.id } }, author.token)).errors).toBeUndefined();
    expectCsv(
      await download(csvPath(grouped.id, 'INDUSTRY'), author.token),
      lines(
        'group,participants,option,votes,percentage',
        "'=cmd|calc,5,Yes,5,100",
        "'=cmd|calc,5,No,0,0",
        '"Oil, ""Gas""",5,Yes,0,0',
        '"Oil, ""Gas""",5,No,5,100',
      ),
    );
  });

  it('answers 401 without a valid bearer token in the header, before anything else', async () => {
    const author = await t.signUp();
    const poll = await createPoll(author.token);
    const unknownPoll = csvPath(Buffer.from('Poll:999999').toString('base64url'), 'industry');
    for (const answer of [
      await download(csvPath(poll.id)),
      await download(unknownPoll),
      await download(csvPath(poll.id), 'x'.repeat(43)),
      await download(csvPath(poll.id), null, { authorization: `Basic ${author.token}` }),
      // A token in the query string is not read.
      await download(`${csvPath(poll.id)}?access_token=${author.token}`),
      await download(`${csvPath(poll.id)}?token=${author.token}`),
    ]) {
      expectError(answer, 401, 'UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }

    // A revoked token: refused at once.
    const session = await t.signUp();
    await setRole(t, session.id, 'ADMIN');
    const alwaysPoll = await createPoll(author.token, { resultsVisibility: 'ALWAYS' });
    expect((await download(csvPath(alwaysPoll.id), session.token)).status).toBe(200);
    expect((await t.gql(`mutation { logOut }`, {}, session.token)).data).toEqual({ logOut: true });
    const revoked = await download(csvPath(alwaysPoll.id), session.token);
    expectError(revoked, 401, 'UNAUTHENTICATED');
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 404 for an id that names no poll, then 403, then 400', async () => {
    const author = await t.signUp();
    const member = await t.signUp();
    const thread = await t.gql(CREATE_THREAD, { input: { title: 'A thread', body: 'Not a poll.' } }, author.token);
    const threadId = thread.data!.createThread.thread.id;
    const deleted = await createPoll(author.token);
    expect((await t.gql(DELETE_POST, { input: { postId: deleted.id } }, author.token)).errors).toBeUndefined();
    for (const id of [
      'nope',
      '%ZZ',
      Buffer.from('Poll:999999').toString('base64url'),
      threadId,
      Buffer.from(`Poll:${dbId(threadId)}`).toString('base64url'),
      deleted.id,
    ]) {
      const path = id === '%ZZ' ? `/polls/%ZZ/results.csv` : csvPath(id);
      expectError(await download(path, author.token), 404, 'NOT_FOUND');
      // Not found before a bad `by`.
      expectError(await download(`${path}?by=industry`, author.token), 404, 'NOT_FOUND');
    }

    // A plain member: forbidden, also when they voted and the poll is closed; forbidden before a bad `by`.
    const poll = await createPoll(author.token, { resultsVisibility: 'ALWAYS' });
    await vote(poll, member.token, 0);
    expect((await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token)).errors).toBeUndefined();
    expectError(await download(csvPath(poll.id), member.token), 403, 'FORBIDDEN');
    expectError(await download(csvPath(poll.id, 'INDUSTRY'), member.token), 403, 'FORBIDDEN');
    expectError(await download(csvPath(poll.id, 'industry'), member.token), 403, 'FORBIDDEN');

    // The author: `by` must be INDUSTRY or COMPANY_SIZE exactly, when present.
    for (const query of ['?by=industry', '?by=', '?by=INDUSTRY&by=COMPANY_SIZE', '?by=company_size', '?by=OTHER']) {
      expect(expectError(await download(`${csvPath(poll.id)}${query}`, author.token), 400, 'BAD_USER_INPUT')).toEqual({ code: 'BAD_USER_INPUT', field: 'by' });
    }
    // Other parameters are ignored.
    expectCsv(await download(`${csvPath(poll.id)}?format=xlsx`, author.token), lines('option,votes,percentage', 'Office,1,100', 'Hybrid,0,0', 'Remote,0,0'));
  });

  it('a poll removed by a moderator is not found for members, and still there for its author and moderators', async () => {
    const author = await t.signUp();
    const member = await t.signUp();
    const moderator = await t.signUp();
    await setRole(t, moderator.id, 'MODERATOR');
    const poll = await createPoll(author.token, { resultsVisibility: 'ALWAYS' });
    await vote(poll, member.token, 2);
    const removed = await t.gql(MODERATE, { input: { subjectId: poll.id, action: 'REMOVE', reason: 'SPAM' } }, moderator.token);
    expect(removed.errors).toBeUndefined();
    // 404 rather than the 403 a member gets for a poll that is there.
    expectError(await download(csvPath(poll.id), member.token), 404, 'NOT_FOUND');
    const body = lines('option,votes,percentage', 'Office,0,0', 'Hybrid,0,0', 'Remote,1,100');
    expectCsv(await download(csvPath(poll.id), author.token), body);
    expectCsv(await download(csvPath(poll.id), moderator.token), body);
  });

  it('lets moderators and admins download only when they may see the tallies', async () => {
    const author = await t.signUp();
    const moderator = await t.signUp();
    const admin = await t.signUp();
    await setRole(t, moderator.id, 'MODERATOR');
    await setRole(t, admin.id, 'ADMIN');

    const onClose = await createPoll(author.token, { resultsVisibility: 'ON_CLOSE' });
    await vote(onClose, moderator.token, 1);
    for (const who of [moderator, admin]) {
      expectError(await download(csvPath(onClose.id), who.token), 403, 'FORBIDDEN');
      expectError(await download(csvPath(onClose.id, 'INDUSTRY'), who.token), 403, 'FORBIDDEN');
      expect(await csvUrl(onClose.id, who.token)).toBeNull();
    }
    expect((await t.gql(CLOSE_POLL, { input: { pollId: onClose.id } }, author.token)).errors).toBeUndefined();
    for (const who of [moderator, admin]) {
      expectCsv(await download(csvPath(onClose.id), who.token), lines('option,votes,percentage', 'Office,0,0', 'Hybrid,1,100', 'Remote,0,0'));
      expect(await csvUrl(onClose.id, who.token)).toBe(csvPath(onClose.id));
    }

    const always = await createPoll(author.token, { resultsVisibility: 'ALWAYS' });
    expectCsv(await download(csvPath(always.id, 'COMPANY_SIZE'), moderator.token), lines('group,participants,option,votes,percentage'));

    // ON_VOTE: once they voted, as Poll.results shows them the tallies.
    const onVote = await createPoll(author.token, { resultsVisibility: 'ON_VOTE' });
    expectError(await download(csvPath(onVote.id), moderator.token), 403, 'FORBIDDEN');
    expect(await csvUrl(onVote.id, moderator.token)).toBeNull();
    await vote(onVote, moderator.token, 0);
    expectCsv(await download(csvPath(onVote.id), moderator.token), lines('option,votes,percentage', 'Office,1,100', 'Hybrid,0,0', 'Remote,0,0'));
    expect(await csvUrl(onVote.id, moderator.token)).toBe(csvPath(onVote.id));
    expectError(await download(csvPath(onVote.id), admin.token), 403, 'FORBIDDEN');

    // A role taken away applies at once.
    await setRole(t, moderator.id, 'MEMBER');
    expectError(await download(csvPath(always.id), moderator.token), 403, 'FORBIDDEN');
    expect(await csvUrl(always.id, moderator.token)).toBeNull();
  });

  it('Poll.resultsCsvUrl: the path for the author, null for anonymous viewers and plain members; the path works as given', async () => {
    const author = await t.signUp();
    const member = await t.signUp();
    const poll = await createPoll(author.token, { resultsVisibility: 'ALWAYS' });
    await vote(poll, member.token, 0);
    expect(await csvUrl(poll.id)).toBeNull();
    expect(await csvUrl(poll.id, member.token)).toBeNull();
    const url = await csvUrl(poll.id, author.token);
    expect(url).toBe(`/polls/${poll.id}/results.csv`);
    expectCsv(await download(url!, author.token), lines('option,votes,percentage', 'Office,1,100', 'Hybrid,0,0', 'Remote,0,0'));
    expectCsv(await download(`${url!}?by=INDUSTRY`, author.token), lines('group,participants,option,votes,percentage'));
  });
});
