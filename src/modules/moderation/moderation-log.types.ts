/** GraphQL shapes of the moderation log's list and of a member's suspension. */
import { Field, ObjectType } from 'type-graphql';
import { Connection, Edge } from '../../graphql/connection';
import type { Member } from '../member/member.entity';
import { ModerationLogEntry } from './moderation-log.entity';
import { ModerationReason } from './moderation.enums';

@ObjectType('ModerationLogEntryEdge', { description: 'An entry in the moderation log.' })
export class ModerationLogEntryEdge extends Edge<ModerationLogEntry>(() => ModerationLogEntry, { one: 'entry' }) {}

@ObjectType('ModerationLogEntryConnection', { description: 'Moderation log entries, newest first.' })
export class ModerationLogEntryConnection extends Connection<ModerationLogEntry, ModerationLogEntryEdge>(
  () => ModerationLogEntryEdge,
  () => ModerationLogEntry,
  {
    many: 'entries',
    totalCount: "All entries that match (all of the subject's with subjectId).",
  },
) {}

@ObjectType('MemberSuspension', { description: "A member's current suspension." })
export class MemberSuspension {
  /** Who suspended the member (Member.suspendedBy); the `moderator` field loads them. */
  readonly moderatorId: number;

  @Field(() => Date, { description: 'When it began (the latest suspendMember).' })
  since: Date;

  @Field(() => Date, { nullable: true, description: 'When it ends by itself; null for an indefinite suspension (until unsuspendMember).' })
  until: Date | null;

  @Field(() => ModerationReason, { description: 'The reason given.' })
  reason: string;

  @Field(() => String, { nullable: true, description: "The moderator's note; null when none." })
  note: string | null;

  constructor(member: Member) {
    this.moderatorId = member.suspendedBy ?? 0;
    this.since = member.suspendedAt ?? new Date(0);
    this.until = member.suspendedUntil;
    this.reason = member.suspensionReason ?? ModerationReason.OTHER;
    this.note = member.suspensionNote;
  }
}
