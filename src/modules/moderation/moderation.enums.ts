/** The moderation vocabulary shared by posts, comments, members, reports and the log (moderation.graphql). */
import { registerEnumType } from 'type-graphql';

/** A member's role; stored as these names. */
export enum MemberRole {
  MEMBER = 'MEMBER',
  MODERATOR = 'MODERATOR',
  ADMIN = 'ADMIN',
}

/** Why something is reported, hidden, removed, locked or a member suspended. */
export enum ModerationReason {
  SPAM = 'SPAM',
  ABUSE = 'ABUSE',
  OFF_TOPIC = 'OFF_TOPIC',
  DUPLICATE = 'DUPLICATE',
  OUTDATED = 'OUTDATED',
  RESOLVED = 'RESOLVED',
  TOO_HEATED = 'TOO_HEATED',
  ILLEGAL = 'ILLEGAL',
  OTHER = 'OTHER',
}

/** Where a thread, poll or comment stands with moderators. */
export enum ModerationState {
  VISIBLE = 'VISIBLE',
  HIDDEN = 'HIDDEN',
  REMOVED = 'REMOVED',
}

/** Whether a member may act as a moderator (MODERATOR or ADMIN). */
export function isModeratorRole(role: MemberRole | string | null | undefined): boolean {
  return role === MemberRole.MODERATOR || role === MemberRole.ADMIN;
}

registerEnumType(MemberRole, {
  name: 'MemberRole',
  description:
    "A member's role. MEMBER is everyone's at signUp. MODERATOR may act on content (moderateContent, lockPost, pinPost), reports " +
    '(moderationQueue, resolveReport), members with role MEMBER (suspendMember) and read the moderation log. ADMIN may do all of that, ' +
    'suspend moderators too, and set roles (setMemberRole).\n\nThe first admin is made from the command line, in the project directory, ' +
    "with the server's environment (the same DATABASE_URL): `npm run member -- role <email> ADMIN`.",
  valuesConfig: {
    MEMBER: { description: "Everyone's role at signUp: posts, comments, votes, upvotes and reports." },
    MODERATOR: { description: 'A member who also moderates content, reports and members with role MEMBER.' },
    ADMIN: { description: 'A moderator who also sets roles and may suspend moderators.' },
  },
});

registerEnumType(ModerationReason, {
  name: 'ModerationReason',
  description:
    "Why something is reported, hidden, removed, locked or a member suspended: GitHub's reported-content classifiers, plus TOO_HEATED " +
    "(GitHub's lock reason), ILLEGAL and OTHER.",
  valuesConfig: {
    SPAM: { description: 'Advertising, scams, bulk or automated content.' },
    ABUSE: { description: 'Harassment, insults, threats, hate.' },
    OFF_TOPIC: { description: "Not about the post's subject or not for this community." },
    DUPLICATE: { description: 'Says again what another post or comment said.' },
    OUTDATED: { description: 'No longer accurate or relevant.' },
    RESOLVED: { description: 'The question is answered or the matter settled.' },
    TOO_HEATED: { description: "The discussion has become too heated (GitHub's lock reason)." },
    ILLEGAL: { description: 'Illegal content, e.g. a notice under the EU Digital Services Act.' },
    OTHER: { description: 'Anything else; a report with OTHER needs a note.' },
  },
});

registerEnumType(ModerationState, {
  name: 'ModerationState',
  description: 'Where a thread, poll or comment stands with moderators.',
  valuesConfig: {
    VISIBLE: { description: 'Shown as usual.' },
    HIDDEN: { description: 'Collapsed: its text withheld from everyone but its author and moderators, the reason shown.' },
    REMOVED: { description: 'Taken down: gone (posts) or a placeholder (comments) for everyone but its author and moderators.' },
  },
});

/** The kinds of moderation log entries; stored as these names in moderation_log.action. */
export enum ModerationLogAction {
  HIDE = 'HIDE',
  UNHIDE = 'UNHIDE',
  REMOVE = 'REMOVE',
  RESTORE = 'RESTORE',
  LOCK = 'LOCK',
  UNLOCK = 'UNLOCK',
  PIN = 'PIN',
  UNPIN = 'UNPIN',
  SUSPEND = 'SUSPEND',
  UNSUSPEND = 'UNSUSPEND',
  SET_ROLE = 'SET_ROLE',
  RESOLVE_REPORT = 'RESOLVE_REPORT',
}

/** Where a report stands; stored as these names in reports.status (and moderation_log.resolution). */
export enum ReportStatus {
  OPEN = 'OPEN',
  ACTIONED = 'ACTIONED',
  DISMISSED = 'DISMISSED',
}

registerEnumType(ModerationLogAction, {
  name: 'ModerationLogAction',
  description: 'The kinds of moderation log entries.',
  valuesConfig: {
    HIDE: { description: 'moderateContent HIDE.' },
    UNHIDE: { description: 'moderateContent UNHIDE.' },
    REMOVE: { description: 'moderateContent REMOVE.' },
    RESTORE: { description: 'moderateContent RESTORE.' },
    LOCK: { description: 'lockPost.' },
    UNLOCK: { description: 'unlockPost.' },
    PIN: { description: 'pinPost.' },
    UNPIN: { description: 'unpinPost.' },
    SUSPEND: { description: 'suspendMember.' },
    UNSUSPEND: { description: 'unsuspendMember.' },
    SET_ROLE: { description: 'setMemberRole, or the command line (moderator null).' },
    RESOLVE_REPORT: { description: 'resolveReport (reports resolved by moderateContent are part of its HIDE or REMOVE entry).' },
  },
});

registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: 'Where a report stands.',
  valuesConfig: {
    OPEN: { description: 'Waiting for a moderator.' },
    ACTIONED: { description: 'A moderator acted on it (resolveReport ACTIONED, or moderateContent HIDE or REMOVE of its subject).' },
    DISMISSED: { description: 'A moderator found nothing to do.' },
  },
});
