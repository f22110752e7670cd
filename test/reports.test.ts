/**
 * Reports over HTTP (moderation.graphql): reportContent, resolveReport, moderationQueue,
 * Reportable's fields on threads, polls, comments and members, and who may see a Report.
 * Moderators are made by setting the role in the database (setMemberRole is other work), and
 * removal by setting the moderation state (moderateContent is other work).
 */
import { ModerationLogEntry } from '../src/modules/moderation/moderation-log.entity';
import { ReportQueueChange } from '../src/modules/report/report-queue-change.entity';
import { ADD_COMMENT, CREATE_POLL, CREATE_THREAD, dbId, Document } from './helpers/documents';
import { DELETE_ACCOUNT, DELETE_POST } from './helpers/delete-documents';
import {
  MODERATION_QUEUE,
  NODE_REPORT,
  NODE_REPORTABLE,
  POSTS_REPORTABLE,
  QueuePage,
  REPORT_CONTENT,
  ReportView,
  RESOLVE_REPORT,
  setModerationState,
  setRole,
} from './helpers/reports-documents';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

type Member = { token: string; id: string };

/** A well-formed ID of the given kind that names nothing (IDs are base64url "<Type>:<id>"). */
const unknownId = (type: string) => Buffer.from(`${type}:999999`, 'utf8').toString('base64url');

function ok<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

function expectCode(response: GraphQLResponse, code: string, field?: string): void {
  expect(codesOf(response)).toEqual([code]);
  if (field !== undefined) expect(response.errors![0].extensions.field).toBe(field);
}

describe('reports: reportContent, resolveReport, moderationQueue, Reportable', () => {
  let t: TestServer;
  let author: Member;
  let reporter: Member;
  let other: Member;
  let moderator: Member;

  beforeAll(async () => {
    t = await startTestServer();
    [author, reporter, other, moderator] = await Promise.all([t.signUp(), t.signUp(), t.signUp(), t.signUp()]);
    await setRole(t, moderator.id, 'MODERATOR');
  });

  async function mutate<T>(document: Document<T>, input: Record<string, unknown>, token: string): Promise<T> {
    return ok(await t.gql(document, { input }, token));
  }
  const thread = async (by = author) =>
    (await mutate(CREATE_THREAD, { title: 'How do you rotate secrets?', body: 'Looking for practices.' }, by.token)).createThread.thread.id;
  const poll = async (by = author) => (await mutate(CREATE_POLL, { title: 'Vault or cloud KMS?', options: ['Vault', 'KMS'] }, by.token)).createPoll.poll.id;
  const comment = async (postId: string, by = author) =>
    (await mutate(ADD_COMMENT, { postId, body: 'We use short-lived tokens.' }, by.token)).addComment.comment.id;
  const report = (subjectId: string, by: Member, reason = 'SPAM', note?: string | null) =>
    t.gql(REPORT_CONTENT, { input: { subjectId, reason, ...(note === undefined ? {} : { note }) } }, by.token);
  const reported = async (subjectId: string, by: Member, reason = 'SPAM', note?: string | null): Promise<ReportView> =>
    ok(await report(subjectId, by, reason, note)).reportContent!.report;
  const resolve = (reportId: string, resolution: string, by = moderator, note?: string) =>
    t.gql(RESOLVE_REPORT, { input: { reportId, resolution, ...(note ? { note } : {}) } }, by.token);

  describe('reportContent', () => {
    it('reports a thread, a poll, a comment and a member; the report is OPEN, with the reporter and no resolver', async () => {
      const threadId = await thread();
      const pollId = await poll();
      const commentId = await comment(threadId);
      for (const [subjectId, typename] of [
        [threadId, 'Thread'],
        [pollId, 'Poll'],
        [commentId, 'Comment'],
        [author.id, 'Member'],
      ]) {
        const made = await reported(subjectId, reporter, 'ABUSE', '  Insults in the second paragraph.  ');
        expect(made).toMatchObject({
          status: 'OPEN',
          reason: 'ABUSE',
          note: 'Insults in the second paragraph.',
          subjectId,
          subject: { __typename: typename, id: subjectId },
          reporter: { id: reporter.id },
          resolvedAt: null,
          resolvedBy: null,
        });
        const flags = ok(await t.gql(NODE_REPORTABLE, { id: subjectId }, reporter.token)).node!;
        expect(flags).toEqual({ id: subjectId, viewerCanReport: true, viewerHasReported: true, openReportCount: null });
      }
    });

    it('anonymous: UNAUTHENTICATED; own post, own comment and oneself: FORBIDDEN', async () => {
      const threadId = await thread();
      const commentId = await comment(threadId, reporter);
      expectCode(await t.gql(REPORT_CONTENT, { input: { subjectId: threadId, reason: 'SPAM' } }), 'UNAUTHENTICATED');
      expectCode(await report(threadId, author), 'FORBIDDEN');
      expectCode(await report(commentId, reporter), 'FORBIDDEN');
      expectCode(await report(reporter.id, reporter), 'FORBIDDEN');
    });

    it('NOT_FOUND for what the reporter cannot see: deleted posts and comments, the former member, unknown and other ids; malformed ids BAD_USER_INPUT', async () => {
      const deleted = await thread();
      const onDeleted = await comment(deleted, other);
      ok(await t.gql(DELETE_POST, { input: { postId: deleted } }, author.token));
      const threadId = await thread();
      const deletedComment = await comment(threadId, other);
      ok(
        await t.gql(
          `mutation ($input: DeleteCommentInput!) { deleteComment(input: $input) { comment { id } } }`,
          { input: { commentId: deletedComment } },
          other.token,
        ),
      );
      const leaving = await t.signUp();
      ok(await t.gql(DELETE_ACCOUNT, { input: { password: 'correct horse battery' } }, leaving.token));
      const pollId = await poll();

      for (const subjectId of [deleted, onDeleted, deletedComment, leaving.id, unknownId('Thread'), unknownId('Comment'), unknownId('Member')]) {
        expectCode(await report(subjectId, reporter), 'NOT_FOUND', 'input.subjectId');
      }
      // A poll's id named as a thread's, and ids of things that cannot be reported.
      const asThread = Buffer.from(`Thread:${dbId(pollId)}`, 'utf8').toString('base64url');
      expectCode(await report(asThread, reporter), 'NOT_FOUND', 'input.subjectId');
      expectCode(await report(unknownId('Topic'), reporter), 'NOT_FOUND', 'input.subjectId');
      expectCode(await report('not an id', reporter), 'BAD_USER_INPUT', 'input.subjectId');
    });

    it('removed content is NOT_FOUND for a member who is neither its author nor a moderator; hidden content can be reported', async () => {
      const removed = await thread();
      const onRemoved = await comment(removed, other);
      const threadId = await thread();
      const removedComment = await comment(threadId, other);
      const hidden = await thread();
      await setModerationState(t, removed, 'REMOVED');
      await setModerationState(t, removedComment, 'REMOVED');
      await setModerationState(t, hidden, 'HIDDEN');

      for (const subjectId of [removed, onRemoved, removedComment]) expectCode(await report(subjectId, reporter), 'NOT_FOUND', 'input.subjectId');
      expect((await reported(hidden, reporter)).status).toBe('OPEN');
      // Moderators see removed content, so they may report it.
      expect((await reported(removed, moderator)).status).toBe('OPEN');
      // viewerCanReport says the same: false for the member, true for the moderator.
      const asMember = ok(await t.gql(NODE_REPORTABLE, { id: removedComment }, reporter.token)).node!;
      expect(asMember.viewerCanReport).toBe(false);
      const asModerator = ok(await t.gql(NODE_REPORTABLE, { id: removedComment }, moderator.token)).node!;
      expect(asModerator.viewerCanReport).toBe(true);
    });

    it('note: up to 1,000 characters, "" counts as none, needed with OTHER (BAD_USER_INPUT on input.note)', async () => {
      const threadId = await thread();
      expectCode(await report(threadId, reporter, 'OTHER'), 'BAD_USER_INPUT', 'input.note');
      expectCode(await report(threadId, reporter, 'OTHER', ''), 'BAD_USER_INPUT', 'input.note');
      expectCode(await report(threadId, reporter, 'OTHER', '   '), 'BAD_USER_INPUT', 'input.note');
      expectCode(await report(threadId, reporter, 'SPAM', 'x'.repeat(1001)), 'BAD_USER_INPUT', 'input.note');
      expectCode(await report(threadId, reporter, 'NOT_A_REASON'), 'BAD_USER_INPUT');
      expect((await reported(threadId, reporter, 'SPAM', '')).note).toBeNull();
      const other2 = await t.signUp();
      expect((await reported(threadId, other2, 'OTHER', 'é'.repeat(1000))).note).toHaveLength(1000);
    });

    it('is idempotent while OPEN (another reason or note returns the report unchanged); once resolved, a new report may be made', async () => {
      const threadId = await thread();
      const first = await reported(threadId, reporter, 'SPAM', 'Ads');
      const again = await reported(threadId, reporter, 'ABUSE', 'Something else');
      expect(again).toEqual(first);
      ok(await resolve(first.id, 'DISMISSED'));
      const next = await reported(threadId, reporter, 'ABUSE');
      expect(next.id).not.toBe(first.id);
      expect(next).toMatchObject({ status: 'OPEN', reason: 'ABUSE' });
    });

    it('10 identical reports at once make one report, each caller gets it, and one queue change', async () => {
      const threadId = await thread();
      const responses = await Promise.all(Array.from({ length: 10 }, () => report(threadId, other, 'SPAM')));
      const ids = new Set(responses.map((response) => ok(response).reportContent!.report.id));
      expect(ids.size).toBe(1);
      const [reportId] = [...ids];
      const changes = await t.probe.db.read((manager) => manager.getRepository(ReportQueueChange).find({ where: { reportId: dbId(reportId) } }));
      expect(changes.map((change) => change.status)).toEqual(['OPEN']);
      const count = ok(await t.gql(NODE_REPORTABLE, { id: threadId }, moderator.token)).node!.openReportCount;
      expect(count).toBe(1);
      // A member as subject takes no row lock: the unique index alone decides.
      const target = await t.signUp();
      const memberReports = await Promise.all(Array.from({ length: 10 }, () => report(target.id, other, 'ABUSE')));
      expect(new Set(memberReports.map((response) => ok(response).reportContent!.report.id)).size).toBe(1);
      expect(ok(await t.gql(NODE_REPORTABLE, { id: target.id }, moderator.token)).node!.openReportCount).toBe(1);
    });
  });

  describe('Reportable', () => {
    it('viewerCanReport: true for others, false for the author, oneself, anonymous viewers and the former-member stand-in', async () => {
      const threadId = await thread();
      const flags = async (id: string, token?: string) => ok(await t.gql(NODE_REPORTABLE, { id }, token)).node!;
      expect(await flags(threadId, other.token)).toMatchObject({ viewerCanReport: true, viewerHasReported: false, openReportCount: null });
      expect(await flags(threadId, author.token)).toMatchObject({ viewerCanReport: false });
      expect(await flags(threadId)).toMatchObject({ viewerCanReport: false, viewerHasReported: false, openReportCount: null });
      expect(await flags(author.id, author.token)).toMatchObject({ viewerCanReport: false });
      expect(await flags(author.id, other.token)).toMatchObject({ viewerCanReport: true });
      const leaving = await t.signUp();
      ok(await t.gql(DELETE_ACCOUNT, { input: { password: 'correct horse battery' } }, leaving.token));
      expect(await flags(leaving.id, other.token)).toMatchObject({ viewerCanReport: false });
    });

    it('openReportCount: OPEN reports, each member once, for moderators only; resolved reports leave it', async () => {
      const threadId = await thread();
      const first = await reported(threadId, reporter);
      await reported(threadId, other);
      await reported(threadId, other, 'ABUSE'); // the same member again: still one report
      expect(ok(await t.gql(NODE_REPORTABLE, { id: threadId }, moderator.token)).node!.openReportCount).toBe(2);
      expect(ok(await t.gql(NODE_REPORTABLE, { id: threadId }, other.token)).node!.openReportCount).toBeNull();
      ok(await resolve(first.id, 'ACTIONED'));
      expect(ok(await t.gql(NODE_REPORTABLE, { id: threadId }, moderator.token)).node!.openReportCount).toBe(1);
      expect(ok(await t.gql(NODE_REPORTABLE, { id: threadId }, reporter.token)).node!.viewerHasReported).toBe(false);
    });

    it('is batched: a page of posts with their authors and comments costs the same statements for 2 posts as for 8', async () => {
      const solo = await startTestServer();
      const [writer, viewer] = await Promise.all([solo.signUp(), solo.signUp()]);
      const statements = async (first: number) => {
        const captured: string[] = [];
        solo.probe.queryLog.captured = captured;
        try {
          ok(await solo.gql(POSTS_REPORTABLE, { first }, viewer.token));
        } finally {
          solo.probe.queryLog.captured = null;
        }
        // Transaction control is not work (PostgreSQL wraps snapshot reads in one); the poll-closing scheduler is not ours.
        return captured.filter((sql) => !/^(BEGIN|START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK)/i.test(sql.trim()) && !/closes_at"? <=/.test(sql)).length;
      };
      for (let i = 0; i < 8; i++) {
        const created = ok(await solo.gql(CREATE_THREAD, { input: { title: `Thread ${i}`, body: 'Body' } }, writer.token)).createThread.thread.id;
        ok(await solo.gql(ADD_COMMENT, { input: { postId: created, body: 'A comment' } }, writer.token));
        ok(await solo.gql(REPORT_CONTENT, { input: { subjectId: created, reason: 'SPAM' } }, viewer.token));
      }
      const two = await statements(2);
      expect(await statements(8)).toBe(two);
      const page = ok(await solo.gql(POSTS_REPORTABLE, { first: 8 }, viewer.token)).posts.nodes;
      expect(page.every((post) => post.viewerHasReported && post.viewerCanReport && !post.comments.nodes[0].viewerHasReported)).toBe(true);
    });
  });

  describe('moderationQueue', () => {
    it('moderators only: anonymous UNAUTHENTICATED, members FORBIDDEN, checked before the arguments', async () => {
      expectCode(await t.gql(MODERATION_QUEUE, {}), 'UNAUTHENTICATED');
      expectCode(await t.gql(MODERATION_QUEUE, { first: 0, after: 'nonsense' }, reporter.token), 'FORBIDDEN');
      expectCode(await t.gql(MODERATION_QUEUE, { first: 0 }, moderator.token), 'BAD_USER_INPUT', 'first');
      expectCode(await t.gql(MODERATION_QUEUE, { first: 101 }, moderator.token), 'BAD_USER_INPUT', 'first');
      expectCode(await t.gql(MODERATION_QUEUE, { after: 'nonsense' }, moderator.token), 'BAD_USER_INPUT', 'after');
      // A role given now applies to the next request.
      const promoted = await t.signUp();
      expectCode(await t.gql(MODERATION_QUEUE, {}, promoted.token), 'FORBIDDEN');
      await setRole(t, promoted.id, 'ADMIN');
      expect(ok(await t.gql(MODERATION_QUEUE, {}, promoted.token)).moderationQueue!.totalCount).toBeGreaterThanOrEqual(0);
    });

    it('OPEN oldest first, page by page; resolved ones under their status, most recently resolved first; cursors work only for their status', async () => {
      const queueServer = await startTestServer();
      const [writer, mod, ...reporters] = await Promise.all(Array.from({ length: 7 }, () => queueServer.signUp()));
      await setRole(queueServer, mod.id, 'MODERATOR');
      const postId = ok(await queueServer.gql(CREATE_THREAD, { input: { title: 'Queue', body: 'Body' } }, writer.token)).createThread.thread.id;
      const made: string[] = [];
      for (const member of reporters)
        made.push(ok(await queueServer.gql(REPORT_CONTENT, { input: { subjectId: postId, reason: 'SPAM' } }, member.token)).reportContent!.report.id);

      const readQueue = async (variables: Record<string, unknown>): Promise<QueuePage> =>
        ok(await queueServer.gql(MODERATION_QUEUE, variables, mod.token)).moderationQueue!;
      const walk = async (status: string | null, first: number) => {
        const ids: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page = await readQueue({ first, after, status });
          ids.push(...page.edges.map((edge) => edge.node.id));
          expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
          if (!page.pageInfo.hasNextPage) return { ids, totalCount: page.totalCount };
          after = page.pageInfo.endCursor;
        }
      };

      expect(await walk(null, 2)).toEqual({ ids: made, totalCount: 5 });
      expect((await walk('OPEN', 100)).ids).toEqual(made);
      // Resolved: most recently resolved first.
      for (const id of [made[3], made[0], made[2]]) ok(await queueServer.gql(RESOLVE_REPORT, { input: { reportId: id, resolution: 'DISMISSED' } }, mod.token));
      ok(await queueServer.gql(RESOLVE_REPORT, { input: { reportId: made[1], resolution: 'ACTIONED' } }, mod.token));
      expect(await walk('DISMISSED', 1)).toEqual({ ids: [made[2], made[0], made[3]], totalCount: 3 });
      expect(await walk('ACTIONED', 20)).toEqual({ ids: [made[1]], totalCount: 1 });
      expect(await walk('OPEN', 20)).toEqual({ ids: [made[4]], totalCount: 1 });
      const dismissedCursor = (await readQueue({ status: 'DISMISSED', first: 1 })).edges[0].cursor;
      expectCode(await queueServer.gql(MODERATION_QUEUE, { status: 'OPEN', after: dismissedCursor }, mod.token), 'BAD_USER_INPUT', 'after');
      // The moderator sees who reported and who resolved.
      const resolved = (await readQueue({ status: 'ACTIONED' })).edges[0].node;
      expect(resolved).toMatchObject({ status: 'ACTIONED', reporter: { id: reporters[1].id }, resolvedBy: { id: mod.id } });
      expect(resolved.resolvedAt).not.toBeNull();
    });
  });

  describe('resolveReport', () => {
    it('moderators only, checked before the arguments; unknown report NOT_FOUND; resolves once, then BAD_USER_INPUT on input.reportId', async () => {
      const threadId = await thread();
      const made = await reported(threadId, reporter);
      expectCode(await t.gql(RESOLVE_REPORT, { input: { reportId: made.id, resolution: 'DISMISSED' } }), 'UNAUTHENTICATED');
      expectCode(await resolve('not an id', 'DISMISSED', reporter), 'FORBIDDEN');
      expectCode(await resolve(made.id, 'DISMISSED', author), 'FORBIDDEN');
      expectCode(await resolve(unknownId('Report'), 'DISMISSED'), 'NOT_FOUND', 'input.reportId');
      expectCode(await resolve(threadId, 'DISMISSED'), 'NOT_FOUND', 'input.reportId');
      expectCode(await resolve('not an id', 'DISMISSED'), 'BAD_USER_INPUT', 'input.reportId');
      expectCode(await resolve(made.id, 'DISMISSED', moderator, 'x'.repeat(1001)), 'BAD_USER_INPUT', 'input.note');

      const resolved = ok(await resolve(made.id, 'ACTIONED', moderator, 'Removed the ads')).resolveReport!.report;
      expect(resolved).toMatchObject({ id: made.id, status: 'ACTIONED', resolvedBy: { id: moderator.id } });
      expect(resolved.resolvedAt).not.toBeNull();
      expectCode(await resolve(made.id, 'DISMISSED'), 'BAD_USER_INPUT', 'input.reportId');

      const entries = await t.probe.db.read((manager) =>
        manager.getRepository(ModerationLogEntry).find({ where: { subjectType: 'REPORT', subjectId: dbId(made.id) } }),
      );
      expect(entries).toEqual([
        expect.objectContaining({ action: 'RESOLVE_REPORT', moderatorId: dbId(moderator.id), resolution: 'ACTIONED', note: 'Removed the ads', reason: null }),
      ]);
      const changes = await t.probe.db.read((manager) =>
        manager.getRepository(ReportQueueChange).find({ where: { reportId: dbId(made.id) }, order: { seq: 'ASC' } }),
      );
      expect(changes.map((change) => change.status)).toEqual(['OPEN', 'ACTIONED']);
    });

    it('of two concurrent resolutions exactly one succeeds, and one is logged', async () => {
      const threadId = await thread();
      const made = await reported(threadId, reporter);
      const second = await t.signUp();
      await setRole(t, second.id, 'ADMIN');
      const results = await Promise.all([resolve(made.id, 'ACTIONED'), resolve(made.id, 'DISMISSED', second)]);
      expect(results.map((result) => codesOf(result).join()).sort()).toEqual(['', 'BAD_USER_INPUT']);
      const entries = await t.probe.db.read((manager) =>
        manager.getRepository(ModerationLogEntry).count({ where: { subjectType: 'REPORT', subjectId: dbId(made.id) } }),
      );
      expect(entries).toBe(1);
    });
  });

  describe('who sees a report', () => {
    it('node(id): the reporter and moderators; nobody else, the reported author included; the reporter never sees who resolved', async () => {
      const threadId = await thread();
      const made = await reported(threadId, reporter);
      const asViewer = async (token?: string) => ok(await t.gql(NODE_REPORT, { id: made.id }, token)).node;
      expect(await asViewer(reporter.token)).toMatchObject({ id: made.id, reporter: { id: reporter.id } });
      expect(await asViewer(moderator.token)).toMatchObject({ id: made.id, reporter: { id: reporter.id } });
      expect(await asViewer(author.token)).toBeNull();
      expect(await asViewer(other.token)).toBeNull();
      expect(await asViewer()).toBeNull();

      ok(await resolve(made.id, 'DISMISSED'));
      expect(await asViewer(reporter.token)).toMatchObject({ status: 'DISMISSED', resolvedBy: null });
      expect(await asViewer(moderator.token)).toMatchObject({ status: 'DISMISSED', resolvedBy: { id: moderator.id } });
    });

    it('subject: null once its author deleted it (subjectId stays); null for the reporter once removed, not for moderators', async () => {
      const pollId = await poll();
      const pollReport = await reported(pollId, reporter);
      ok(await t.gql(DELETE_POST, { input: { postId: pollId } }, author.token));
      for (const token of [reporter.token, moderator.token]) {
        expect(ok(await t.gql(NODE_REPORT, { id: pollReport.id }, token)).node).toMatchObject({ subject: null, subjectId: pollId });
      }

      const threadId = await thread();
      const commentId = await comment(threadId);
      const threadReport = await reported(threadId, reporter);
      const commentReport = await reported(commentId, reporter);
      await setModerationState(t, threadId, 'REMOVED');
      for (const id of [threadReport.id, commentReport.id]) {
        expect(ok(await t.gql(NODE_REPORT, { id }, reporter.token)).node!.subject).toBeNull();
        expect(ok(await t.gql(NODE_REPORT, { id }, moderator.token)).node!.subject).not.toBeNull();
      }

      const leaving = await t.signUp();
      const memberReport = await reported(leaving.id, reporter);
      ok(await t.gql(DELETE_ACCOUNT, { input: { password: 'correct horse battery' } }, leaving.token));
      expect(ok(await t.gql(NODE_REPORT, { id: memberReport.id }, moderator.token)).node).toMatchObject({ subject: null, subjectId: leaving.id });
    });
  });
});

describe('reports and the write limits', () => {
  it('reports count toward the write limit; resolving them does not', async () => {
    const t = await startTestServer({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '2' } });
    const [author, first, second, moderator] = await Promise.all([t.signUp(), t.signUp(), t.signUp(), t.signUp()]);
    await setRole(t, moderator.id, 'MODERATOR');
    const threadId = ok(await t.gql(CREATE_THREAD, { input: { title: 'Limits', body: 'Body' } }, author.token)).createThread.thread.id;
    const reportAndResolve = async (reporter: Member) => {
      const made = ok(await t.gql(REPORT_CONTENT, { input: { subjectId: threadId, reason: 'SPAM' } }, reporter.token)).reportContent!.report;
      ok(await t.gql(RESOLVE_REPORT, { input: { reportId: made.id, resolution: 'DISMISSED' } }, moderator.token));
    };
    await reportAndResolve(first);
    await reportAndResolve(first);
    expectCode(await t.gql(REPORT_CONTENT, { input: { subjectId: threadId, reason: 'SPAM' } }, first.token), 'RATE_LIMITED');
    // The moderator resolves a third and a fourth report within the same minute: never limited.
    await reportAndResolve(second);
    await reportAndResolve(second);
  });
});
