/**
 * Roles, locks, pins, suspensions and the moderation log (moderation.graphql), rule by rule over
 * HTTP, plus the sockets a suspension closes. Runs on SQLite, and on PostgreSQL + Redis with
 * TEST_DATABASE_URL / TEST_REDIS_URL.
 */
import { Client } from 'graphql-ws';
import { Post } from '../src/modules/post/post.entity';
import { MemberRole } from '../src/modules/moderation/moderation.enums';
import {
  DELETE_ACCOUNT,
  DELETE_POST,
  EDIT_THREAD,
  grantRole,
  LOCK_POST,
  LOG_IN,
  MODERATION_LOG,
  PIN_POST,
  PINNED_POSTS,
  READ_LOG_ENTRY,
  READ_MEMBER,
  READ_POST,
  SET_MEMBER_ROLE,
  SUSPEND_MEMBER,
  UNLOCK_POST,
  UNPIN_POST,
  UNSUSPEND_MEMBER,
  VIEWER_ROLE,
} from './helpers/control-documents';
import { ADD_COMMENT, ADD_UPVOTE, CAST_VOTE, CLOSE_POLL, CREATE_POLL, CREATE_THREAD, dbId, RETRACT_VOTE, WATCH_STATS } from './helpers/documents';
import { collect, connect } from './helpers/live';
import { codesOf, GraphQLResponse, startTestServer, TestServer } from './helpers/server';

const PASSWORD = 'correct horse battery';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const toGlobal = (type: string, id: number) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');

/** The one error of a refused call: its code and the field it names. */
function refusal(response: GraphQLResponse): { code: string; field?: unknown } {
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  return { code: error.extensions.code, ...(error.extensions.field !== undefined ? { field: error.extensions.field } : {}) };
}

describe('moderation: roles, locks, pins, suspensions and the log', () => {
  let t: TestServer;
  let admin: { token: string; id: string };
  let moderator: { token: string; id: string };
  let emails = 0;

  /** A fresh member with a known e-mail (for logIn). */
  const member = async () => {
    const email = `control${++emails}-${process.pid}@example.test`;
    return { email, ...(await t.signUp({ email })) };
  };
  const thread = async (token: string) => (await t.gql(CREATE_THREAD, { input: { title: 'A thread', body: 'Its body' } }, token)).data!.createThread.thread.id;
  const poll = async (token: string) => (await t.gql(CREATE_POLL, { input: { title: 'A poll', options: ['Yes', 'No'] } }, token)).data!.createPoll.poll;
  const logOf = async (subjectId: string, token = moderator.token) => (await t.gql(MODERATION_LOG, { subjectId }, token)).data!.moderationLog;

  beforeAll(async () => {
    t = await startTestServer();
    admin = await t.signUp();
    await grantRole(t, admin.id, MemberRole.ADMIN);
    moderator = await t.signUp();
    const made = await t.gql(SET_MEMBER_ROLE, { input: { memberId: moderator.id, role: 'MODERATOR' } }, admin.token);
    expect(made.data!.setMemberRole!.member.role).toBe('MODERATOR');
  });

  describe('roles', () => {
    it('setMemberRole is for admins: anonymous UNAUTHENTICATED, members and moderators FORBIDDEN before the id is looked at', async () => {
      const someone = await member();
      for (const bogus of [someone.id, 'not-an-id', toGlobal('Member', 999_999)]) {
        const input = { memberId: bogus, role: 'ADMIN' };
        expect(refusal(await t.gql(SET_MEMBER_ROLE, { input }))).toEqual({ code: 'UNAUTHENTICATED' });
        expect(refusal(await t.gql(SET_MEMBER_ROLE, { input }, someone.token))).toEqual({ code: 'FORBIDDEN' });
        expect(refusal(await t.gql(SET_MEMBER_ROLE, { input }, moderator.token))).toEqual({ code: 'FORBIDDEN' });
      }
      expect((await t.gql(VIEWER_ROLE, {}, someone.token)).data!.viewer!.role).toBe('MEMBER');
    });

    it('applies at once, also to tokens issued before; the same role again changes and logs nothing', async () => {
      const someone = await member();
      expect(codesOf(await t.gql(MODERATION_LOG, {}, someone.token))).toEqual(['FORBIDDEN']);
      const set = await t.gql(SET_MEMBER_ROLE, { input: { memberId: someone.id, role: 'MODERATOR' } }, admin.token);
      expect(set.data!.setMemberRole!.member).toEqual({ id: someone.id, role: 'MODERATOR' });
      // The token from before the change carries the new role on its next request.
      expect((await t.gql(VIEWER_ROLE, {}, someone.token)).data!.viewer!.role).toBe('MODERATOR');
      expect((await t.gql(MODERATION_LOG, {}, someone.token)).errors).toBeUndefined();

      await t.gql(SET_MEMBER_ROLE, { input: { memberId: someone.id, role: 'MODERATOR' } }, admin.token);
      const log = await logOf(someone.id);
      expect(log.nodes).toHaveLength(1);
      expect(log.edges[0].node).toMatchObject({ action: 'SET_ROLE', role: 'MODERATOR', subjectId: someone.id, moderator: { id: admin.id }, reason: null });
      expect(log.edges[0].node.subject).toEqual({ __typename: 'Member', id: someone.id });

      await t.gql(SET_MEMBER_ROLE, { input: { memberId: someone.id, role: 'MEMBER' } }, admin.token);
      expect(codesOf(await t.gql(MODERATION_LOG, {}, someone.token))).toEqual(['FORBIDDEN']);
      expect((await logOf(someone.id)).nodes).toHaveLength(2);
    });

    it("an admin's own role is FORBIDDEN; unknown, other-type and former members NOT_FOUND; a malformed id BAD_USER_INPUT", async () => {
      expect(refusal(await t.gql(SET_MEMBER_ROLE, { input: { memberId: admin.id, role: 'MEMBER' } }, admin.token))).toEqual({ code: 'FORBIDDEN' });
      const notFound = { code: 'NOT_FOUND', field: 'input.memberId' };
      expect(refusal(await t.gql(SET_MEMBER_ROLE, { input: { memberId: toGlobal('Member', 999_999), role: 'ADMIN' } }, admin.token))).toEqual(notFound);
      const threadId = await thread(admin.token);
      expect(refusal(await t.gql(SET_MEMBER_ROLE, { input: { memberId: threadId, role: 'ADMIN' } }, admin.token))).toEqual(notFound);
      const leaving = await member();
      expect((await t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }, leaving.token)).errors).toBeUndefined();
      expect(refusal(await t.gql(SET_MEMBER_ROLE, { input: { memberId: leaving.id, role: 'MODERATOR' } }, admin.token))).toEqual(notFound);
      expect(refusal(await t.gql(SET_MEMBER_ROLE, { input: { memberId: '!!', role: 'ADMIN' } }, admin.token))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.memberId',
      });
      expect((await t.gql(VIEWER_ROLE, {}, admin.token)).data!.viewer!.role).toBe('ADMIN');
    });
  });

  describe('locks', () => {
    it('lockPost and unlockPost are for moderators, checked before the id', async () => {
      const author = await member();
      const postId = await thread(author.token);
      for (const document of [LOCK_POST, UNLOCK_POST]) {
        for (const id of [postId, toGlobal('Thread', 999_999)]) {
          const input = document === LOCK_POST ? { postId: id, reason: 'TOO_HEATED' } : { postId: id };
          expect(refusal(await t.gql(document, { input }))).toEqual({ code: 'UNAUTHENTICATED' });
          expect(refusal(await t.gql(document, { input }, author.token))).toEqual({ code: 'FORBIDDEN' });
        }
      }
      const unknown = await t.gql(LOCK_POST, { input: { postId: toGlobal('Thread', 999_999), reason: 'SPAM' } }, moderator.token);
      expect(refusal(unknown)).toEqual({ code: 'NOT_FOUND', field: 'input.postId' });
      const tooLong = await t.gql(LOCK_POST, { input: { postId, reason: 'SPAM', note: 'x'.repeat(1001) } }, moderator.token);
      expect(refusal(tooLong)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.note' });
      expect((await t.gql(READ_POST, { id: postId })).data!.post!.isLocked).toBe(false);
    });

    it('a locked thread takes no comments or replies (POST_LOCKED); upvotes and edits go on; unlocking opens it again', async () => {
      const author = await member();
      const reader = await member();
      const postId = await thread(author.token);
      const commentId = (await t.gql(ADD_COMMENT, { input: { postId, body: 'Before the lock' } }, reader.token)).data!.addComment.comment.id;

      const locked = await t.gql(LOCK_POST, { input: { postId, reason: 'TOO_HEATED', note: 'Cooling off' } }, moderator.token);
      expect(locked.errors).toBeUndefined();
      expect(locked.data!.lockPost!.post).toMatchObject({ __typename: 'Thread', id: postId, isLocked: true, lockReason: 'TOO_HEATED' });
      const lockedAt = locked.data!.lockPost!.post.lockedAt;
      expect(lockedAt).not.toBeNull();
      // Everyone sees the lock, anonymous readers included.
      expect((await t.gql(READ_POST, { id: postId })).data!.post).toMatchObject({ isLocked: true, lockedAt, lockReason: 'TOO_HEATED' });

      expect(codesOf(await t.gql(ADD_COMMENT, { input: { postId, body: 'After the lock' } }, reader.token))).toEqual(['POST_LOCKED']);
      expect(codesOf(await t.gql(ADD_COMMENT, { input: { postId, body: 'A reply', parentId: commentId } }, author.token))).toEqual(['POST_LOCKED']);
      expect((await t.gql(ADD_UPVOTE, { input: { subjectId: postId } }, reader.token)).errors).toBeUndefined();
      expect((await t.gql(EDIT_THREAD, { input: { threadId: postId, title: 'Edited while locked' } }, author.token)).errors).toBeUndefined();

      // Locking again changes nothing: the first reason and time stay, nothing is logged.
      const again = await t.gql(LOCK_POST, { input: { postId, reason: 'SPAM' } }, moderator.token);
      expect(again.data!.lockPost!.post).toMatchObject({ isLocked: true, lockedAt, lockReason: 'TOO_HEATED' });

      const unlocked = await t.gql(UNLOCK_POST, { input: { postId } }, moderator.token);
      expect(unlocked.data!.unlockPost!.post).toMatchObject({ isLocked: false, lockedAt: null, lockReason: null });
      expect((await t.gql(UNLOCK_POST, { input: { postId } }, moderator.token)).data!.unlockPost!.post.isLocked).toBe(false);
      expect((await t.gql(ADD_COMMENT, { input: { postId, body: 'After the unlock' } }, reader.token)).errors).toBeUndefined();

      const log = await logOf(postId);
      expect(log.nodes.map((entry) => entry.id)).toEqual(log.edges.map((edge) => edge.node.id));
      expect(log.edges.map((edge) => edge.node)).toMatchObject([
        { action: 'UNLOCK', reason: null, note: null, moderator: { id: moderator.id }, subjectId: postId, subject: { __typename: 'Thread', id: postId } },
        { action: 'LOCK', reason: 'TOO_HEATED', note: 'Cooling off', moderator: { id: moderator.id }, subjectId: postId },
      ]);
    });

    it('a locked poll takes no votes or retractions (POST_LOCKED before POLL_CLOSED); its author may still close it', async () => {
      const author = await member();
      const voter = await member();
      const { id: pollId, options } = await poll(author.token);
      expect((await t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[0].id] } }, voter.token)).errors).toBeUndefined();
      await t.gql(LOCK_POST, { input: { postId: pollId, reason: 'RESOLVED' } }, moderator.token);
      expect(codesOf(await t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[1].id] } }, voter.token))).toEqual(['POST_LOCKED']);
      expect(codesOf(await t.gql(RETRACT_VOTE, { input: { pollId } }, voter.token))).toEqual(['POST_LOCKED']);
      expect((await t.gql(CLOSE_POLL, { input: { pollId } }, author.token)).errors).toBeUndefined();
      // Closed and locked: the lock is what the voter is told.
      expect(codesOf(await t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[1].id] } }, voter.token))).toEqual(['POST_LOCKED']);
      await t.gql(UNLOCK_POST, { input: { postId: pollId } }, moderator.token);
      expect(codesOf(await t.gql(CAST_VOTE, { input: { pollId, optionIds: [options[1].id] } }, voter.token))).toEqual(['POLL_CLOSED']);
    });

    it('pushes the lock to postUpdated subscribers', async () => {
      const author = await member();
      const postId = await thread(author.token);
      const client = connect(t, author.token);
      const watcher = collect<{ postUpdated: { post: { isLocked: boolean; lockReason: string | null } | null } }>(
        client,
        `subscription ($id: ID!) { postUpdated(postId: $id) { post { isLocked lockReason } } }`,
        { id: postId },
      );
      await watcher.until((messages) => messages.length === 1);
      await t.gql(LOCK_POST, { input: { postId, reason: 'OFF_TOPIC' } }, moderator.token);
      await watcher.until((messages) => messages.some((message) => message.data?.postUpdated.post?.isLocked === true));
      expect(watcher.messages[watcher.messages.length - 1].data!.postUpdated.post).toEqual({ isLocked: true, lockReason: 'OFF_TOPIC' });
    });
  });

  describe('pins', () => {
    it('pinPost is for moderators; pinnedPosts is for everyone, most recently pinned first; pinning again keeps pinnedAt', async () => {
      const author = await member();
      const [first, second] = [await thread(author.token), await thread(author.token)];
      expect(refusal(await t.gql(PIN_POST, { input: { postId: first } }))).toEqual({ code: 'UNAUTHENTICATED' });
      expect(refusal(await t.gql(PIN_POST, { input: { postId: first } }, author.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await t.gql(UNPIN_POST, { input: { postId: first } }, author.token))).toEqual({ code: 'FORBIDDEN' });

      const pinned = await t.gql(PIN_POST, { input: { postId: first } }, moderator.token);
      expect(pinned.data!.pinPost!.post).toMatchObject({ id: first, isPinned: true });
      const pinnedAt = pinned.data!.pinPost!.post.pinnedAt;
      await sleep(5);
      await t.gql(PIN_POST, { input: { postId: second } }, admin.token);
      const again = await t.gql(PIN_POST, { input: { postId: first } }, moderator.token);
      expect(again.data!.pinPost!.post.pinnedAt).toBe(pinnedAt);

      const list = (await t.gql(PINNED_POSTS)).data!.pinnedPosts.map((post) => post.id);
      expect(list.indexOf(second)).toBeLessThan(list.indexOf(first));
      expect((await logOf(first)).nodes).toHaveLength(1);

      await t.gql(UNPIN_POST, { input: { postId: first } }, moderator.token);
      await t.gql(UNPIN_POST, { input: { postId: first } }, moderator.token);
      expect((await t.gql(READ_POST, { id: first })).data!.post).toMatchObject({ isPinned: false, pinnedAt: null });
      expect((await t.gql(PINNED_POSTS)).data!.pinnedPosts.map((post) => post.id)).not.toContain(first);
      expect((await logOf(first)).edges.map((edge) => edge.node.action)).toEqual(['UNPIN', 'PIN']);
      await t.gql(UNPIN_POST, { input: { postId: second } }, moderator.token);
    });

    it('holds at most 10 (the 11th is BAD_USER_INPUT on input.postId), only visible posts, and a deleted post leaves at once', async () => {
      const author = await member();
      const ids: string[] = [];
      for (let i = 0; i < 11; i++) ids.push(await thread(author.token));
      for (const id of ids.slice(0, 10)) expect((await t.gql(PIN_POST, { input: { postId: id } }, moderator.token)).errors).toBeUndefined();
      expect(refusal(await t.gql(PIN_POST, { input: { postId: ids[10] } }, moderator.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.postId' });
      expect((await t.gql(PINNED_POSTS)).data!.pinnedPosts.map((post) => post.id)).toEqual(ids.slice(0, 10).reverse());

      // Deleting a pinned post unpins it: a place is free again.
      expect((await t.gql(DELETE_POST, { input: { postId: ids[9] } }, author.token)).errors).toBeUndefined();
      expect((await t.gql(PINNED_POSTS)).data!.pinnedPosts).toHaveLength(9);
      expect((await t.gql(PIN_POST, { input: { postId: ids[10] } }, moderator.token)).errors).toBeUndefined();
      for (const id of [...ids.slice(0, 9), ids[10]]) await t.gql(UNPIN_POST, { input: { postId: id } }, moderator.token);
      expect((await t.gql(PINNED_POSTS)).data!.pinnedPosts).toEqual([]);

      // A hidden post (moderateContent is built elsewhere: the state is set as it would set it) cannot be pinned.
      const hidden = await thread(author.token);
      await t.probe.db.write(({ manager }) =>
        manager.getRepository(Post).update({ id: dbId(hidden) }, { moderationState: 'HIDDEN', moderationReason: 'SPAM' }),
      );
      expect(refusal(await t.gql(PIN_POST, { input: { postId: hidden } }, moderator.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.postId' });
      expect((await logOf(hidden)).totalCount).toBe(0);
    });

    it('twelve pins at once: exactly ten succeed, the others are BAD_USER_INPUT', async () => {
      const author = await member();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await thread(author.token));
      const answers = await Promise.all(ids.map((postId, i) => t.gql(PIN_POST, { input: { postId } }, i % 2 ? moderator.token : admin.token)));
      const codes = answers.map((answer) => codesOf(answer)[0] ?? 'OK');
      expect(codes.filter((code) => code === 'OK')).toHaveLength(10);
      expect(codes.filter((code) => code !== 'OK')).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect((await t.gql(PINNED_POSTS)).data!.pinnedPosts).toHaveLength(10);
      for (const postId of ids) await t.gql(UNPIN_POST, { input: { postId } }, moderator.token);
    });
  });

  describe('suspensions', () => {
    const suspend = (memberId: string, token: string, extra: Record<string, unknown> = {}) =>
      t.gql(SUSPEND_MEMBER, { input: { memberId, reason: 'ABUSE', ...extra } }, token);
    const logIn = (email: string, password = PASSWORD) => t.gql(LOG_IN, { input: { email, password } });

    it('who may suspend whom: moderators MEMBERs, admins MODERATORs too; never an ADMIN or oneself; former members NOT_FOUND', async () => {
      const target = await member();
      const otherModerator = await member();
      await t.gql(SET_MEMBER_ROLE, { input: { memberId: otherModerator.id, role: 'MODERATOR' } }, admin.token);

      expect(refusal(await suspend(target.id, ''))).toEqual({ code: 'UNAUTHENTICATED' });
      expect(refusal(await suspend(toGlobal('Member', 999_999), target.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await t.gql(UNSUSPEND_MEMBER, { input: { memberId: target.id } }, target.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await suspend(otherModerator.id, moderator.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await suspend(admin.id, moderator.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await suspend(moderator.id, moderator.token))).toEqual({ code: 'FORBIDDEN' });
      const otherAdmin = await member();
      await grantRole(t, otherAdmin.id, MemberRole.ADMIN);
      expect(refusal(await suspend(otherAdmin.id, admin.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await suspend(admin.id, admin.token))).toEqual({ code: 'FORBIDDEN' });
      expect(refusal(await suspend(toGlobal('Member', 999_999), moderator.token))).toEqual({ code: 'NOT_FOUND', field: 'input.memberId' });
      const leaving = await member();
      await t.gql(DELETE_ACCOUNT, { input: { password: PASSWORD } }, leaving.token);
      expect(refusal(await suspend(leaving.id, moderator.token))).toEqual({ code: 'NOT_FOUND', field: 'input.memberId' });
      const past = new Date(Date.now() - 1000).toISOString();
      expect(refusal(await suspend(target.id, moderator.token, { until: past }))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.until' });

      // viewerCanModerate says the same, per viewer.
      const can = async (id: string, token: string) => (await t.gql(READ_MEMBER, { id }, token)).data!.node!.viewerCanModerate;
      expect([await can(target.id, moderator.token), await can(target.id, admin.token), await can(target.id, otherModerator.token)]).toEqual([
        true,
        true,
        true,
      ]);
      expect([await can(otherModerator.id, moderator.token), await can(otherModerator.id, admin.token)]).toEqual([false, true]);
      expect([await can(admin.id, otherAdmin.token), await can(moderator.id, moderator.token), await can(leaving.id, admin.token)]).toEqual([
        false,
        false,
        false,
      ]);
      expect([await can(otherModerator.id, target.token), await can(target.id, '')]).toEqual([false, false]);

      expect((await suspend(otherModerator.id, admin.token)).errors).toBeUndefined();
      // Suspended: the moderator's own tokens are gone.
      expect(codesOf(await suspend(target.id, otherModerator.token))).toEqual(['UNAUTHENTICATED']);
      expect((await logOf(target.id)).totalCount).toBe(0);
    });

    it('revokes every token (401) and closes the sockets with 4403 within a second; logIn tells the suspended member why', async () => {
      const target = await member();
      const second = (await logIn(target.email)).data!.logIn!.token;
      const bystander = await member();
      const closes = new Map<string, number>();
      const clients: Record<string, Client> = {
        first: connect(t, target.token, { onClose: (code) => closes.set('first', code) }),
        second: connect(t, second, { onClose: (code) => closes.set('second', code) }),
        bystander: connect(t, bystander.token, { onClose: (code) => closes.set('bystander', code) }),
      };
      const postId = await thread(bystander.token);
      const watchers = Object.values(clients).map((client) => collect(client, WATCH_STATS, { id: postId }));
      await Promise.all(watchers.map((watcher) => watcher.until((messages) => messages.length > 0)));

      const until = new Date(Date.now() + 60 * 60 * 1000).toISOString();
      const suspended = await suspend(target.id, moderator.token, { until, note: 'Repeated insults' });
      expect(suspended.errors).toBeUndefined();
      const answeredAt = Date.now();
      expect(suspended.data!.suspendMember!.member.suspension).toMatchObject({
        until,
        reason: 'ABUSE',
        note: 'Repeated insults',
        moderator: { id: moderator.id },
      });

      for (const token of [target.token, second]) {
        const refused = await t.gql(VIEWER_ROLE, {}, token);
        expect(refused.status).toBe(401);
        expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);
      }
      while ((!closes.has('first') || !closes.has('second')) && Date.now() - answeredAt < 1000) await sleep(10);
      expect([closes.get('first'), closes.get('second')]).toEqual([4403, 4403]);
      await sleep(100);
      expect(closes.has('bystander')).toBe(false);

      const refusedLogIn = await logIn(target.email);
      expect(refusedLogIn.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN', reason: 'SUSPENDED', suspendedUntil: until } })]);
      expect(codesOf(await logIn(target.email, 'a wrong password'))).toEqual(['UNAUTHENTICATED']);

      // Moderators see the suspension; the member's peers do not.
      expect((await t.gql(READ_MEMBER, { id: target.id }, moderator.token)).data!.node!.suspension).toMatchObject({ reason: 'ABUSE' });
      expect((await t.gql(READ_MEMBER, { id: target.id }, bystander.token)).data!.node!.suspension).toBeNull();
      expect((await t.gql(READ_MEMBER, { id: target.id })).data!.node!.suspension).toBeNull();

      const entry = (await logOf(target.id)).edges[0].node;
      expect(entry).toMatchObject({ action: 'SUSPEND', reason: 'ABUSE', note: 'Repeated insults', suspendedUntil: until, moderator: { id: moderator.id } });
    });

    it('re-suspending replaces the suspension and logs again; unsuspending lifts it at once, once', async () => {
      const target = await member();
      await suspend(target.id, moderator.token, { until: new Date(Date.now() + 3_600_000).toISOString() });
      const replaced = await suspend(target.id, admin.token, { reason: 'SPAM', note: null });
      expect(replaced.data!.suspendMember!.member.suspension).toMatchObject({ until: null, reason: 'SPAM', note: null, moderator: { id: admin.id } });
      expect(codesOf(await logIn(target.email))).toEqual(['FORBIDDEN']);
      expect((await logIn(target.email)).errors![0].extensions.suspendedUntil).toBeNull();

      const lifted = await t.gql(UNSUSPEND_MEMBER, { input: { memberId: target.id } }, moderator.token);
      expect(lifted.data!.unsuspendMember!.member.suspension).toBeNull();
      const token = (await logIn(target.email)).data!.logIn!.token;
      expect((await t.gql(VIEWER_ROLE, {}, token)).data!.viewer!.id).toBe(target.id);
      // The old token stays revoked.
      expect(codesOf(await t.gql(VIEWER_ROLE, {}, target.token))).toEqual(['UNAUTHENTICATED']);

      expect((await t.gql(UNSUSPEND_MEMBER, { input: { memberId: target.id } }, moderator.token)).data!.unsuspendMember!.member.suspension).toBeNull();
      expect((await logOf(target.id)).edges.map((edge) => edge.node.action)).toEqual(['UNSUSPEND', 'SUSPEND', 'SUSPEND']);
    });

    it('ends by itself at `until`', async () => {
      const target = await member();
      await suspend(target.id, moderator.token, { until: new Date(Date.now() + 1500).toISOString() });
      expect(codesOf(await logIn(target.email))).toEqual(['FORBIDDEN']);
      await sleep(1700);
      expect((await t.gql(READ_MEMBER, { id: target.id }, moderator.token)).data!.node!.suspension).toBeNull();
      expect((await logIn(target.email)).errors).toBeUndefined();
      // Ended already: unsuspending changes and logs nothing.
      await t.gql(UNSUSPEND_MEMBER, { input: { memberId: target.id } }, moderator.token);
      expect((await logOf(target.id)).edges.map((edge) => edge.node.action)).toEqual(['SUSPEND']);
    });
  });

  describe('the log', () => {
    it('is for moderators; node(id) is null for anyone else', async () => {
      const someone = await member();
      expect(refusal(await t.gql(MODERATION_LOG, {}))).toEqual({ code: 'UNAUTHENTICATED' });
      expect(refusal(await t.gql(MODERATION_LOG, { subjectId: 'junk' }, someone.token))).toEqual({ code: 'FORBIDDEN' });
      const postId = await thread(someone.token);
      await t.gql(LOCK_POST, { input: { postId, reason: 'SPAM' } }, moderator.token);
      const entryId = (await logOf(postId)).nodes[0].id;
      expect((await t.gql(READ_LOG_ENTRY, { id: entryId }, moderator.token)).data!.node).toMatchObject({ id: entryId, action: 'LOCK' });
      expect((await t.gql(READ_LOG_ENTRY, { id: entryId }, admin.token)).data!.node).toMatchObject({ id: entryId });
      expect((await t.gql(READ_LOG_ENTRY, { id: entryId }, someone.token)).data!.node).toBeNull();
      expect((await t.gql(READ_LOG_ENTRY, { id: entryId })).data!.node).toBeNull();
    });

    it('pages newest first with cursors of its own list; subjectId filters; the subject is null once its author deleted it', async () => {
      const author = await member();
      const postId = await thread(author.token);
      for (let i = 0; i < 3; i++) {
        await t.gql(LOCK_POST, { input: { postId, reason: 'SPAM' } }, moderator.token);
        await t.gql(UNLOCK_POST, { input: { postId } }, moderator.token);
      }
      const firstPage = (await t.gql(MODERATION_LOG, { subjectId: postId, first: 4 }, moderator.token)).data!.moderationLog;
      expect(firstPage.totalCount).toBe(6);
      expect(firstPage.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(firstPage.edges.map((edge) => edge.node.action)).toEqual(['UNLOCK', 'LOCK', 'UNLOCK', 'LOCK']);
      const rest = (await t.gql(MODERATION_LOG, { subjectId: postId, first: 4, after: firstPage.pageInfo.endCursor }, moderator.token)).data!.moderationLog;
      expect(rest.edges.map((edge) => edge.node.action)).toEqual(['UNLOCK', 'LOCK']);
      expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const ids = [...firstPage.nodes, ...rest.nodes].map((entry) => entry.id);
      expect(new Set(ids).size).toBe(6);
      const times = [...firstPage.edges, ...rest.edges].map((edge) => Date.parse(edge.node.createdAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      // The whole log has them too, newest first, and the newest entry of all is this post's last.
      const all = (await t.gql(MODERATION_LOG, { first: 1 }, moderator.token)).data!.moderationLog;
      expect(all.nodes[0].id).toBe(ids[0]);
      expect(all.totalCount).toBeGreaterThanOrEqual(6);

      // A cursor of one list is refused by another; a wrong kind of id is NOT_FOUND, a malformed one BAD_USER_INPUT.
      expect(refusal(await t.gql(MODERATION_LOG, { after: firstPage.pageInfo.endCursor }, moderator.token))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
      const topicLike = toGlobal('Topic', 1);
      expect(refusal(await t.gql(MODERATION_LOG, { subjectId: topicLike }, moderator.token))).toEqual({ code: 'NOT_FOUND', field: 'subjectId' });
      expect(refusal(await t.gql(MODERATION_LOG, { subjectId: '%%' }, moderator.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'subjectId' });
      expect(refusal(await t.gql(MODERATION_LOG, { first: 101 }, moderator.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });

      await t.gql(DELETE_POST, { input: { postId } }, author.token);
      const afterDeletion = await logOf(postId);
      expect(afterDeletion.totalCount).toBe(6);
      expect(afterDeletion.edges[0].node).toMatchObject({ subjectId: postId, subject: null });
    });

    it("names a poll by its Poll id, and moderators' actions do not count toward the write limits", async () => {
      const limited = await startTestServer({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '3' } });
      const boss = await limited.signUp();
      await grantRole(limited, boss.id, MemberRole.ADMIN);
      const author = await limited.signUp();
      const pollId = (await limited.gql(CREATE_POLL, { input: { title: 'Limited', options: ['A', 'B'] } }, author.token)).data!.createPoll.poll.id;
      for (let i = 0; i < 4; i++) {
        expect((await limited.gql(LOCK_POST, { input: { postId: pollId, reason: 'SPAM' } }, boss.token)).errors).toBeUndefined();
        expect((await limited.gql(UNLOCK_POST, { input: { postId: pollId } }, boss.token)).errors).toBeUndefined();
        expect((await limited.gql(PIN_POST, { input: { postId: pollId } }, boss.token)).errors).toBeUndefined();
        expect((await limited.gql(UNPIN_POST, { input: { postId: pollId } }, boss.token)).errors).toBeUndefined();
      }
      const log = (await limited.gql(MODERATION_LOG, { subjectId: pollId, first: 1 }, boss.token)).data!.moderationLog;
      expect(log.totalCount).toBe(16);
      expect(log.edges[0].node).toMatchObject({ subjectId: pollId, subject: { __typename: 'Poll', id: pollId } });
      // The limit is real for writes: the author's fourth is refused.
      const writes = [];
      for (let i = 0; i < 4; i++) writes.push(codesOf(await limited.gql(ADD_COMMENT, { input: { postId: pollId, body: `c${i}` } }, author.token)));
      expect(writes.flat()).toContain('RATE_LIMITED');
    });
  });
});
