/** Inputs and payloads of setMemberRole, lockPost, unlockPost, pinPost, unpinPost, suspendMember and unsuspendMember. */
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Member } from '../member/member.entity';
import type { Post } from '../post/post.entity';
import { PostInterface } from '../post/post.types';
import { MemberRole, ModerationReason } from './moderation.enums';

@InputType('SetMemberRoleInput', { description: 'The member and the role setMemberRole gives them.' })
export class SetMemberRoleInput {
  @Field(() => ID, { description: 'The member (not oneself).' })
  memberId: string;

  @Field(() => MemberRole, { description: 'The new role.' })
  role: MemberRole;
}

@ObjectType('SetMemberRolePayload', { description: 'The result of setMemberRole.' })
export class SetMemberRolePayload {
  @Field(() => Member, { description: 'The member with the new role.' })
  member: Member;
}

@InputType('LockPostInput', { description: 'The post lockPost locks, and why.' })
export class LockPostInput {
  @Field(() => ID, { description: 'A thread or poll.' })
  postId: string;

  @Field(() => ModerationReason, { description: 'Why it is locked; shown to everyone as lockReason.' })
  reason: ModerationReason;

  @Field(() => String, { nullable: true, description: 'Up to 1,000 characters; written to the moderation log.' })
  note?: string | null;
}

@ObjectType('LockPostPayload', { description: 'The result of lockPost.' })
export class LockPostPayload {
  @Field(() => PostInterface, { description: 'The post, locked.' })
  post: Post;
}

@InputType('UnlockPostInput', { description: 'The post unlockPost unlocks.' })
export class UnlockPostInput {
  @Field(() => ID, { description: 'A thread or poll.' })
  postId: string;
}

@ObjectType('UnlockPostPayload', { description: 'The result of unlockPost.' })
export class UnlockPostPayload {
  @Field(() => PostInterface, { description: 'The post, unlocked.' })
  post: Post;
}

@InputType('PinPostInput', { description: 'The post pinPost pins.' })
export class PinPostInput {
  @Field(() => ID, { description: 'A thread or poll.' })
  postId: string;
}

@ObjectType('PinPostPayload', { description: 'The result of pinPost.' })
export class PinPostPayload {
  @Field(() => PostInterface, { description: 'The post, pinned.' })
  post: Post;
}

@InputType('UnpinPostInput', { description: 'The post unpinPost unpins.' })
export class UnpinPostInput {
  @Field(() => ID, { description: 'A thread or poll.' })
  postId: string;
}

@ObjectType('UnpinPostPayload', { description: 'The result of unpinPost.' })
export class UnpinPostPayload {
  @Field(() => PostInterface, { description: 'The post, unpinned.' })
  post: Post;
}

@InputType('SuspendMemberInput', { description: 'Whom suspendMember suspends, until when, and why.' })
export class SuspendMemberInput {
  @Field(() => ID, { description: 'The member to suspend.' })
  memberId: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When the suspension ends by itself; must be in the future (BAD_USER_INPUT on input.until). Null or omitted: until unsuspendMember.',
  })
  until?: Date | null;

  @Field(() => ModerationReason, { description: 'Why; shown to moderators in Member.suspension and the log.' })
  reason: ModerationReason;

  @Field(() => String, { nullable: true, description: 'Up to 1,000 characters; shown to moderators in Member.suspension and the log.' })
  note?: string | null;
}

@ObjectType('SuspendMemberPayload', { description: 'The result of suspendMember.' })
export class SuspendMemberPayload {
  @Field(() => Member, { description: 'The member, with their suspension.' })
  member: Member;
}

@InputType('UnsuspendMemberInput', { description: 'Whose suspension unsuspendMember lifts.' })
export class UnsuspendMemberInput {
  @Field(() => ID, { description: 'The suspended member.' })
  memberId: string;
}

@ObjectType('UnsuspendMemberPayload', { description: 'The result of unsuspendMember.' })
export class UnsuspendMemberPayload {
  @Field(() => Member, { description: 'The member, no longer suspended.' })
  member: Member;
}
