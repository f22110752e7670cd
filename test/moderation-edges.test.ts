/**
 * Moderation rules a fresh-eyes review found untested or broken: a removed poll's options are gone
 * with it, the log names the report a RESOLVE_REPORT entry is about, hiding a pinned post unpins
 * it, a suspended member cannot be made ADMIN (admins cannot be unsuspended), moderator-only fields
 * of pushed messages follow the subscriber's current role, and hiding content while its reports are
 * being resolved never resolves one report twice; a role taken away without an event (the command
 * line) still ends the live queue.
 */
import type { Client } from 'graphql-ws';
import { ReportQueueChange } from '../src/modules/report/report-queue-change.entity';
import { CREATE_POLL, CREATE_THREAD, dbId, typed } from './helpers/documents';
import { collect, connect } from './helpers/live';
import { LOCK_POST, MODERATION_LOG, PIN_POST, PINNED_POSTS, SET_MEMBER_ROLE, SUSPEND_MEMBER } from './helpers/control-documents';
import { MODERATE, setRole } from './helpers/moderation-content-documents';
import { REPORT_CONTENT, RESOLVE_REPORT, WATCH_QUEUE } from './helpers/reports-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

const OPTION_NODE = typed<{ node: { id: string; label: string } | null }>(`query OptionNode($id: ID!) { node(id: $id) { ... on PollOption { id label } } }`);
const WATCH_REPORTS = typed<{ postUpdated: { post: { id: string; openReportCount: number | null } | null } }>(
  `subscription WatchReports($postId: ID!) { postUpdated(postId: $postId) { post { id openReportCount } } }`,
);

describe('moderation: edge rules', () => {
  let t: TestServer;
  let author: Member;
  let other: Member;
  let moderator: Member;
  let admin: Member;
  const clients: Client[] = [];

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  const thread = async (title: string) => ok(await t.gql(CREATE_THREAD, { input: { title, body: 'Body' } }, author.token)).createThread.thread.id;

  beforeAll(async () => {
    t = await startTestServer();
    [author, other, moderator, admin] = await Promise.all([t.signUp(), t.signUp(), t.signUp(), t.signUp()]);
    await setRole(t, moderator.id, 'MODERATOR');
    await setRole(t, admin.id, 'ADMIN');
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await t.stop();
  });

  it("a removed poll's options are null by id for everyone but its author and moderators", async () => {
    const poll = ok(await t.gql(CREATE_POLL, { input: { title: 'Secret poll', options: ['Yes secret', 'No'] } }, author.token)).createPoll.poll;
    ok(await t.gql(MODERATE, { input: { subjectId: poll.id, action: 'REMOVE', reason: 'SPAM' } }, moderator.token));
    const optionId = poll.options[0].id;
    for (const token of [null, other.token]) expect(ok(await t.gql(OPTION_NODE, { id: optionId }, token)).node).toBeNull();
    for (const token of [author.token, moderator.token])
      expect(ok(await t.gql(OPTION_NODE, { id: optionId }, token)).node).toEqual({ id: optionId, label: 'Yes secret' });
  });

  it('a RESOLVE_REPORT log entry names its report as subject', async () => {
    const postId = await thread('Reported');
    const report = ok(await t.gql(REPORT_CONTENT, { input: { subjectId: postId, reason: 'SPAM' } }, other.token)).reportContent!.report;
    ok(await t.gql(RESOLVE_REPORT, { input: { reportId: report.id, resolution: 'DISMISSED' } }, moderator.token));
    const entries = ok(await t.gql(MODERATION_LOG, { first: 5, subjectId: report.id }, moderator.token)).moderationLog.edges.map((edge) => edge.node);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'RESOLVE_REPORT', subjectId: report.id, subject: { id: report.id } });
  });

  it('hiding or removing a pinned post unpins it at once', async () => {
    for (const action of ['HIDE', 'REMOVE']) {
      const postId = await thread(`Pinned then ${action}`);
      ok(await t.gql(PIN_POST, { input: { postId } }, moderator.token));
      expect(ok(await t.gql(PINNED_POSTS, {})).pinnedPosts.map((post) => post.id)).toContain(postId);
      ok(await t.gql(MODERATE, { input: { subjectId: postId, action, reason: 'OFF_TOPIC' } }, moderator.token));
      expect(ok(await t.gql(PINNED_POSTS, {})).pinnedPosts.map((post) => post.id)).not.toContain(postId);
    }
  });

  it('a suspended member cannot be made ADMIN (BAD_USER_INPUT on input.role): admins cannot be unsuspended', async () => {
    const suspended = await t.signUp();
    ok(await t.gql(SUSPEND_MEMBER, { input: { memberId: suspended.id, reason: 'ABUSE' } }, admin.token));
    const response = await t.gql(SET_MEMBER_ROLE, { input: { memberId: suspended.id, role: 'ADMIN' } }, admin.token);
    expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions.field).toBe('input.role');
    // MODERATOR stays possible: an admin can still lift a moderator's suspension.
    ok(await t.gql(SET_MEMBER_ROLE, { input: { memberId: suspended.id, role: 'MODERATOR' } }, admin.token));
  });

  it("moderator-only fields of pushed messages follow the subscriber's current role, not the one at connect", async () => {
    const postId = await thread('Watched by a moderator');
    ok(await t.gql(REPORT_CONTENT, { input: { subjectId: postId, reason: 'SPAM' } }, other.token));
    const demoted = await t.signUp();
    await setRole(t, demoted.id, 'MODERATOR');
    const client = connect(t, demoted.token);
    clients.push(client);
    const watcher = collect(client, WATCH_REPORTS, { postId });
    await watcher.until((messages) => messages.length === 1);
    expect(watcher.messages[0].data!.postUpdated.post!.openReportCount).toBe(1);
    ok(await t.gql(SET_MEMBER_ROLE, { input: { memberId: demoted.id, role: 'MEMBER' } }, admin.token));
    ok(await t.gql(LOCK_POST, { input: { postId, reason: 'TOO_HEATED' } }, moderator.token));
    await watcher.until((messages) => messages.length === 2);
    expect(watcher.messages[1].data!.postUpdated.post!.openReportCount).toBeNull();
  });

  it('a moderator demoted without an event (as the command line does) loses the live queue within seconds', async () => {
    const watcherMember = await t.signUp();
    await setRole(t, watcherMember.id, 'MODERATOR');
    const client = connect(t, watcherMember.token);
    clients.push(client);
    const before = t.probe.liveHub.moderationQueue.positioned;
    const watcher = collect(client, WATCH_QUEUE, {});
    const deadline = Date.now() + 5000;
    while (t.probe.liveHub.moderationQueue.positioned === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // Straight to the database, no memberRoleChanged: what `npm run member -- role <email> MEMBER` does.
    await setRole(t, watcherMember.id, 'MEMBER');
    await watcher.ended(15_000);
    expect(watcher.errors!.map((error) => error.extensions.code)).toEqual(['FORBIDDEN']);
  }, 20_000);

  it('hiding content while its reports are being resolved resolves each report once, announced once', async () => {
    for (let round = 0; round < 3; round++) {
      const postId = await thread(`Race ${round}`);
      const reporters = await Promise.all(Array.from({ length: 6 }, () => t.signUp()));
      const reports = await Promise.all(
        reporters.map(
          async (reporter) => ok(await t.gql(REPORT_CONTENT, { input: { subjectId: postId, reason: 'SPAM' } }, reporter.token)).reportContent!.report,
        ),
      );
      const [hide, ...resolutions] = await Promise.all([
        t.gql(MODERATE, { input: { subjectId: postId, action: 'HIDE', reason: 'SPAM' } }, moderator.token),
        ...reports.map((report) => t.gql(RESOLVE_REPORT, { input: { reportId: report.id, resolution: 'DISMISSED' } }, admin.token)),
      ]);
      expect(hide.errors).toBeUndefined();
      const dismissed = resolutions.filter((response) => response.errors === undefined).length;
      for (const response of resolutions) if (response.errors) expect(codesOf(response)).toEqual(['BAD_USER_INPUT']);
      const changes = await t.probe.db.read((manager) => manager.getRepository(ReportQueueChange).find());
      for (const report of reports) {
        const resolvedChanges = changes.filter((change) => change.reportId === dbId(report.id) && change.status !== 'OPEN');
        expect(resolvedChanges).toHaveLength(1);
      }
      expect(changes.filter((change) => reports.some((report) => dbId(report.id) === change.reportId) && change.status === 'DISMISSED')).toHaveLength(
        dismissed,
      );
    }
  });
});
