/**
 * Roles, locks, pins, suspensions and the moderation log at the API edge. Every operation for
 * moderators checks the role first (signedInModerator / signedInAdmin), before any argument is
 * decoded, so FORBIDDEN says nothing about whether an id exists. Moderators' actions are not
 * counted against the write limits (no CountsAsWrite): a moderator cleaning up spam must not be
 * stopped by the limits that slow the spammer.
 */
import { freshViewerOf } from './visibility';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { atArgument, idOf, signedInAdmin, signedInModerator } from '../../graphql/api-edge';
import { pageSize } from '../../graphql/input-validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../graphql/pagination';
import { changesByItselfAt } from '../context';
import type { RequestContext } from '../context';
import { Member } from '../member/member.entity';
import type { Post } from '../post/post.entity';
import { postRefOf } from '../post/post-ref';
import { PostInterface } from '../post/post.types';
import { MemberModerationService, maySuspend } from './member-moderation.service';
import {
  LockPostInput,
  LockPostPayload,
  PinPostInput,
  PinPostPayload,
  SetMemberRoleInput,
  SetMemberRolePayload,
  SuspendMemberInput,
  SuspendMemberPayload,
  UnlockPostInput,
  UnlockPostPayload,
  UnpinPostInput,
  UnpinPostPayload,
  UnsuspendMemberInput,
  UnsuspendMemberPayload,
} from './moderation-control.inputs';
import { LogSubject, ModerationLogService } from './moderation-log.service';
import { MemberSuspension, ModerationLogEntryConnection } from './moderation-log.types';
import { isModeratorRole, ModerationReason } from './moderation.enums';
import { PostControlService } from './post-control.service';

const memberIdOf = (globalId: string) => idOf(globalId, 'memberId', ['Member'], 'Member').id;

/** What a moderationLog(subjectId:) names: a thread, poll, comment, member or report; any other id is NOT_FOUND. */
function logSubjectOf(globalId: string): LogSubject {
  const { type, id } = idOf(globalId, 'subjectId', ['Thread', 'Poll', 'Comment', 'Member', 'Report'], 'Subject');
  if (type === 'Thread' || type === 'Poll') return { type: 'POST', id };
  return { type: type === 'Comment' ? 'COMMENT' : type === 'Member' ? 'MEMBER' : 'REPORT', id };
}

@Resolver()
export class ModerationControlResolver {
  constructor(
    private readonly memberModeration: MemberModerationService,
    private readonly postControl: PostControlService,
    private readonly log: ModerationLogService,
  ) {}

  @Mutation(() => SetMemberRolePayload, {
    nullable: true,
    description:
      "Sets a member's role: admins only (moderators and members FORBIDDEN, anonymous UNAUTHENTICATED). An admin cannot change their own " +
      'role (FORBIDDEN), so a community with an admin always keeps one; the former-member stand-in is NOT_FOUND. Setting the role a member ' +
      "already has changes nothing and logs nothing. Applies to the member's next request; a moderationQueueUpdated subscription of a member " +
      'who is no longer a moderator ends with an `error` message (FORBIDDEN).',
  })
  async setMemberRole(
    @Arg('input', () => SetMemberRoleInput, { description: 'The member and the new role.' }) input: SetMemberRoleInput,
    @Ctx() context: RequestContext,
  ): Promise<SetMemberRolePayload> {
    const admin = signedInAdmin(context.viewer);
    const member = await atArgument('input', () => this.memberModeration.setRole(admin, memberIdOf(input.memberId), input.role));
    context.loaders.afterProfileChange(member);
    return { member };
  }

  @Mutation(() => LockPostPayload, {
    nullable: true,
    description:
      'Locks a thread or poll: moderators only. From then on addComment (new comments and replies), castVote and retractVote on it are ' +
      'POST_LOCKED; reading, upvoting, editing and deleting are unaffected, and its author may still close a poll. Locking a locked post ' +
      'changes nothing (its reason stays) and logs nothing. Logged and pushed to postUpdated.',
  })
  async lockPost(@Arg('input', () => LockPostInput, { description: 'The post and the reason.' }) input: LockPostInput, @Ctx() context: RequestContext) {
    const moderator = signedInModerator(context.viewer);
    return { post: await atArgument('input', () => this.postControl.lock(moderator, postRefOf(input.postId, 'postId'), input.reason, input.note)) };
  }

  @Mutation(() => UnlockPostPayload, {
    nullable: true,
    description: 'Unlocks a post: moderators only. Unlocking a post that is not locked changes nothing and logs nothing. Logged and pushed to postUpdated.',
  })
  async unlockPost(@Arg('input', () => UnlockPostInput, { description: 'The post.' }) input: UnlockPostInput, @Ctx() context: RequestContext) {
    const moderator = signedInModerator(context.viewer);
    return { post: await atArgument('input', () => this.postControl.unlock(moderator, postRefOf(input.postId, 'postId'))) };
  }

  @Mutation(() => PinPostPayload, {
    nullable: true,
    description:
      'Pins a thread or poll to Query.pinnedPosts: moderators only. Only a VISIBLE post can be pinned (BAD_USER_INPUT on input.postId ' +
      'otherwise), and at most 10 at a time: pinning an 11th is BAD_USER_INPUT on input.postId. Pinning a pinned post changes nothing ' +
      '(pinnedAt stays). Pins do not change the order of Query.posts. Logged and pushed to postUpdated.',
  })
  async pinPost(@Arg('input', () => PinPostInput, { description: 'The post.' }) input: PinPostInput, @Ctx() context: RequestContext) {
    const moderator = signedInModerator(context.viewer);
    return { post: await atArgument('input', () => this.postControl.pin(moderator, postRefOf(input.postId, 'postId'))) };
  }

  @Mutation(() => UnpinPostPayload, {
    nullable: true,
    description: 'Unpins a post: moderators only. Unpinning a post that is not pinned changes nothing and logs nothing. Logged and pushed to postUpdated.',
  })
  async unpinPost(@Arg('input', () => UnpinPostInput, { description: 'The post.' }) input: UnpinPostInput, @Ctx() context: RequestContext) {
    const moderator = signedInModerator(context.viewer);
    return { post: await atArgument('input', () => this.postControl.unpin(moderator, postRefOf(input.postId, 'postId'))) };
  }

  @Mutation(() => SuspendMemberPayload, {
    nullable: true,
    description:
      'Suspends a member, until a time or indefinitely: moderators may suspend MEMBERs, admins MEMBERs and MODERATORs; suspending an ADMIN ' +
      'or oneself is FORBIDDEN, the former-member stand-in NOT_FOUND. At once every token of the member is revoked (HTTP UNAUTHENTICATED) ' +
      "and every open WebSocket of theirs is closed with 4403 within a second. While it lasts, logIn with the member's right password is " +
      'FORBIDDEN with extensions.reason "SUSPENDED" and extensions.suspendedUntil (a wrong password stays UNAUTHENTICATED, so the suspension ' +
      'is not revealed to a guesser). It ends by itself at `until`: logIn works again. Suspending a suspended member replaces the suspension ' +
      "(until, reason, note) and is logged again. The member's content, votes and upvotes stay as they are (act on content with moderateContent).",
  })
  async suspendMember(
    @Arg('input', () => SuspendMemberInput, { description: 'The member, until when, and why.' }) input: SuspendMemberInput,
    @Ctx() context: RequestContext,
  ): Promise<SuspendMemberPayload> {
    const moderator = signedInModerator(context.viewer);
    const member = await atArgument('input', () =>
      this.memberModeration.suspend(moderator, { memberId: memberIdOf(input.memberId), until: input.until ?? null, reason: input.reason, note: input.note }),
    );
    context.loaders.afterProfileChange(member);
    return { member };
  }

  @Mutation(() => UnsuspendMemberPayload, {
    nullable: true,
    description:
      'Lifts a suspension at once, with the same permissions as suspendMember: logIn works again (revoked tokens stay revoked). A member ' +
      'who is not suspended is returned unchanged and nothing is logged.',
  })
  async unsuspendMember(
    @Arg('input', () => UnsuspendMemberInput, { description: 'The member.' }) input: UnsuspendMemberInput,
    @Ctx() context: RequestContext,
  ): Promise<UnsuspendMemberPayload> {
    const moderator = signedInModerator(context.viewer);
    const member = await atArgument('input', () => this.memberModeration.unsuspend(moderator, memberIdOf(input.memberId)));
    context.loaders.afterProfileChange(member);
    return { member };
  }

  @Query(() => ModerationLogEntryConnection, {
    description:
      'The moderation log, newest first, moderators only: one entry for every moderation change that took effect (moderateContent, ' +
      'lockPost, unlockPost, pinPost, unpinPost, suspendMember, unsuspendMember, setMemberRole and the command line, resolveReport); a call ' +
      'that changed nothing writes nothing. Entries are never edited or deleted. `subjectId` keeps the entries about that thread, poll, ' +
      'comment, member or report. `first` is 1..100.',
  })
  async moderationLog(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE_SIZE_DEFAULT, description: `How many entries to return, 1..${PAGE_SIZE_MAX}.` })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this list (same subjectId): the entries after it (older ones).' })
    after: string | null,
    @Arg('subjectId', () => ID, { nullable: true, description: 'Only the entries about this thread, poll, comment, member or report; all when omitted.' })
    subjectId: string | null,
  ): Promise<ModerationLogEntryConnection> {
    signedInModerator(context.viewer);
    const subject = subjectId === null || subjectId === undefined ? null : logSubjectOf(subjectId);
    const page = await this.log.page({ first: pageSize(first), after: after ?? null, subject });
    page.nodes.forEach((entry) => context.loaders.moderationLogEntryById.prime(entry.id, entry));
    return Object.assign(new ModerationLogEntryConnection(), page, { countTotal: () => this.log.count(subject) });
  }

  @Query(() => [PostInterface], {
    description:
      'The pinned posts, most recently pinned first: at most 10. Everyone may read it, anonymous viewers included. A post that is hidden, ' +
      'removed or deleted is unpinned at once.',
  })
  async pinnedPosts(@Ctx() context: RequestContext): Promise<Post[]> {
    const posts = await this.postControl.pinned();
    posts.forEach((post) => context.loaders.postById.prime(post.id, post));
    return posts;
  }
}

/** Member.suspension and Member.viewerCanModerate. */
@Resolver(() => Member)
export class MemberModerationFieldResolver {
  @FieldResolver(() => MemberSuspension, {
    nullable: true,
    description: "The member's suspension while it lasts; null once it has ended or been lifted. Moderators only: null for everyone else.",
  })
  async suspension(@Root() member: Member, @Ctx() context: RequestContext): Promise<MemberSuspension | null> {
    if (!isModeratorRole((await freshViewerOf(context))?.role)) return null;
    changesByItselfAt(context, member.suspendedUntil);
    return member.isSuspendedAt(new Date()) ? new MemberSuspension(member) : null;
  }

  @FieldResolver(() => Boolean, {
    description:
      'True when the viewer may suspend and unsuspend this member: a moderator for a MEMBER, an admin for a MEMBER or MODERATOR; never ' +
      'for oneself, for an ADMIN, or for the former-member stand-in.',
  })
  async viewerCanModerate(@Root() member: Member, @Ctx() context: RequestContext): Promise<boolean> {
    return maySuspend(await freshViewerOf(context), member);
  }
}

@Resolver(() => MemberSuspension)
export class MemberSuspensionFieldResolver {
  @FieldResolver(() => Member, { description: 'Who suspended the member.' })
  async moderator(@Root() suspension: MemberSuspension, @Ctx() context: RequestContext): Promise<Member> {
    const moderator = await context.loaders.memberById.load(suspension.moderatorId);
    if (!moderator) throw new Error(`suspension by unknown member ${suspension.moderatorId}`);
    return moderator;
  }
}

/** Post.isPinned, pinnedAt, isLocked, lockedAt and lockReason: shown to everyone who gets the post. */
@Resolver(() => PostInterface)
export class PostControlFieldResolver {
  @FieldResolver(() => Boolean, { description: 'True while the post is pinned (see Query.pinnedPosts).' })
  isPinned(@Root() post: Post): boolean {
    return post.pinnedAt !== null;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When it was pinned; null while not pinned.' })
  pinnedAt(@Root() post: Post): Date | null {
    return post.pinnedAt;
  }

  @FieldResolver(() => Boolean, {
    description: 'True while the post is locked: no new comments, replies or poll votes (POST_LOCKED); the author may still close a poll.',
  })
  isLocked(@Root() post: Post): boolean {
    return post.lockedAt !== null;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When it was locked; null while not locked.' })
  lockedAt(@Root() post: Post): Date | null {
    return post.lockedAt;
  }

  @FieldResolver(() => ModerationReason, {
    nullable: true,
    description: 'Why it was locked; null while not locked. Shown to everyone.',
  })
  lockReason(@Root() post: Post): string | null {
    return post.lockReason;
  }
}
