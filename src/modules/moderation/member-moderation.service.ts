/**
 * What moderators and admins do to members: roles (setMemberRole and `npm run member -- role`) and
 * suspensions. Each change and its log entry are one transaction, taken under the member's row lock
 * (PostgreSQL), the lock logIn takes too: a suspension and a log-in of the same member never
 * interleave, so no session is created that the suspension does not revoke.
 */
import type { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import { lockRowForUpdate } from '../../db/dialect';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { cleanOptionalText } from '../../graphql/input-validation';
import type { DomainEvent } from '../events';
import { Member } from '../member/member.entity';
import type { MemberService } from '../member/member.service';
import type { ModerationLogService } from './moderation-log.service';
import { isModeratorRole, MemberRole, ModerationLogAction, ModerationReason } from './moderation.enums';

/** Moderators' notes (suspensions, locks, the log): at most this many characters. */
export const MODERATION_NOTE_MAX = 1000;

/** suspendMember's input, ids decoded. */
export interface SuspensionData {
  memberId: number;
  /** Null: until unsuspendMember. */
  until: Date | null;
  reason: ModerationReason;
  note?: string | null;
}

/** Whether `moderator` may suspend and unsuspend `member` (Member.viewerCanModerate says the same). */
export function maySuspend(moderator: Pick<Member, 'id' | 'role'> | null, member: Pick<Member, 'id' | 'role' | 'deletedAt'>): boolean {
  if (!moderator || !isModeratorRole(moderator.role) || moderator.id === member.id || member.deletedAt !== null) return false;
  if (member.role === MemberRole.MEMBER) return true;
  return member.role === MemberRole.MODERATOR && moderator.role === MemberRole.ADMIN;
}

export class MemberModerationService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly members: MemberService,
    private readonly log: ModerationLogService,
  ) {}

  /**
   * setMemberRole: `admin` gives `memberId` the role. One's own role is FORBIDDEN (so a community
   * with an admin always keeps one); the former-member stand-in is NOT_FOUND. The role the member
   * has already: nothing changes, nothing is logged.
   */
  async setRole(admin: Member, memberId: number, role: MemberRole): Promise<Member> {
    if (memberId === admin.id) throw new ForbiddenError('An admin cannot change their own role.');
    return this.db.write(({ manager, publishAfterCommit }) =>
      this.applyRole(manager, memberId, role, admin.id, () => publishAfterCommit({ type: 'memberRoleChanged', memberId })),
    );
  }

  /**
   * The command line's `role <email> ROLE`: no moderator (logged with a null one) and no event bus
   * in that process (the running server reads roles per request). The e-mail is compared
   * case-insensitively; an unknown one is NOT_FOUND.
   */
  async setRoleByEmail(email: string, role: MemberRole): Promise<Member> {
    if (!Object.values(MemberRole).includes(role)) throw new BadUserInputError('role', `must be one of ${Object.values(MemberRole).join(', ')}.`);
    return this.db.write(async ({ manager }) => {
      const found = await manager.getRepository(Member).findOne({ where: { email: email.trim().toLowerCase() } });
      if (!found || found.deletedAt !== null) throw new NotFoundError('Member', 'email');
      return this.applyRole(manager, found.id, role, null, () => undefined);
    });
  }

  private async applyRole(manager: EntityManager, memberId: number, role: MemberRole, moderatorId: number | null, announce: () => void): Promise<Member> {
    const member = await this.lockedMember(manager, memberId);
    if (member.role === role) return member;
    // Admins cannot be suspended or unsuspended: a suspended member made ADMIN would stay suspended for good.
    if (role === MemberRole.ADMIN && member.isSuspendedAt(new Date())) {
      throw new BadUserInputError('role', 'cannot be ADMIN while the member is suspended: unsuspendMember first.');
    }
    await manager.getRepository(Member).update({ id: member.id }, { role });
    await this.log.record(manager, { action: ModerationLogAction.SET_ROLE, subjectType: 'MEMBER', subjectId: member.id, moderatorId, role });
    announce();
    member.role = role;
    return member;
  }

  /**
   * suspendMember: replaces any suspension (and is logged again), revokes every token of the member
   * and, after the commit, closes their sockets with 4403 on every instance.
   */
  async suspend(moderator: Member, data: SuspensionData): Promise<Member> {
    const note = cleanOptionalText(data.note, 'note', { max: MODERATION_NOTE_MAX, multiline: true });
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const member = await this.lockedMember(manager, data.memberId);
      this.checkMaySuspend(moderator, member);
      // The clock is read under the lock, as everything else here is decided.
      const now = new Date();
      if (data.until !== null && !(data.until.getTime() > now.getTime())) throw new BadUserInputError('until', 'must be in the future.');
      const suspension = { suspendedAt: now, suspendedUntil: data.until, suspensionReason: data.reason, suspensionNote: note, suspendedBy: moderator.id };
      await manager.getRepository(Member).update({ id: member.id }, suspension);
      await this.members.revokeEverySession(manager, member.id, publishAfterCommit);
      await this.log.record(
        manager,
        {
          action: ModerationLogAction.SUSPEND,
          subjectType: 'MEMBER',
          subjectId: member.id,
          moderatorId: moderator.id,
          reason: data.reason,
          note,
          suspendedUntil: data.until,
        },
        now,
      );
      return Object.assign(member, suspension);
    });
  }

  /** unsuspendMember: lifts the suspension at once; a member who is not suspended (any more) comes back unchanged, unlogged. */
  async unsuspend(moderator: Member, memberId: number): Promise<Member> {
    return this.db.write(async ({ manager }) => {
      const member = await this.lockedMember(manager, memberId);
      this.checkMaySuspend(moderator, member);
      if (!member.isSuspendedAt(new Date())) return member;
      const lifted = { suspendedAt: null, suspendedUntil: null, suspensionReason: null, suspensionNote: null, suspendedBy: null };
      await manager.getRepository(Member).update({ id: member.id }, lifted);
      await this.log.record(manager, { action: ModerationLogAction.UNSUSPEND, subjectType: 'MEMBER', subjectId: member.id, moderatorId: moderator.id });
      return Object.assign(member, lifted);
    });
  }

  /** The member under its row lock; unknown or the former-member stand-in: NOT_FOUND on memberId. */
  private async lockedMember(manager: EntityManager, memberId: number): Promise<Member> {
    await lockRowForUpdate(manager, Member, memberId);
    const member = await manager.getRepository(Member).findOne({ where: { id: memberId } });
    if (!member || member.deletedAt !== null) throw new NotFoundError('Member', 'memberId');
    return member;
  }

  private checkMaySuspend(moderator: Member, member: Member): void {
    if (member.id === moderator.id) throw new ForbiddenError('Nobody can suspend themselves.');
    if (!maySuspend(moderator, member)) {
      throw new ForbiddenError(member.role === MemberRole.ADMIN ? 'Admins cannot be suspended.' : 'Only admins may suspend moderators.');
    }
  }
}
