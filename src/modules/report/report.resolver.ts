/**
 * Reports at the API edge: Reportable's fields on threads, polls, comments and members, Report's
 * own fields (who may see whom), node(id) for a Report, moderationQueue, reportContent and
 * resolveReport. Who may see a report: moderators and the member who made it, nobody else.
 */
import { freshViewerOf } from '../moderation/visibility';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn, signedInModerator } from '../../graphql/api-edge';
import { toGlobalId } from '../../graphql/global-id';
import { pageSize } from '../../graphql/input-validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../graphql/pagination';
import type { Comment } from '../comment/comment.entity';
import type { RequestContext } from '../context';
import { Member } from '../member/member.entity';
import { isModeratorRole } from '../moderation/moderation.enums';
import type { Post } from '../post/post.entity';
import { CountsAsWrite } from '../write-limit';
import { ReportStatus } from './report.enums';
import { Report } from './report.entity';
import { ReportContentInput, ReportContentPayload, ResolveReportInput, ResolveReportPayload } from './report.inputs';
import { ReportService, ReportSubject, ReportTarget } from './report.service';
import { ReportConnection, Reportable } from './report.types';

/** What Reportable's fields get: a thread or poll (a Post row), a comment or a member. */
export type ReportableContent = Post | Comment | Member;

/** How Reportable's fields see their root: the subject, who wrote it (a member: themself), and whether reporting it is possible. */
interface ReportableView {
  subject: ReportSubject;
  authorId: number;
  /** Deleted by its author, or the former-member stand-in: nothing to report any more. */
  gone: boolean;
  removed: boolean;
}

function viewOf(root: ReportableContent): ReportableView {
  if (root instanceof Member) return { subject: { type: 'MEMBER', id: root.id }, authorId: root.id, gone: root.isFormerMember, removed: false };
  const removed = root.moderationState === 'REMOVED';
  const type = root.typeName === 'Comment' ? 'COMMENT' : 'POST';
  return { subject: { type, id: root.id }, authorId: root.authorId, gone: root.deletedAt !== null, removed };
}

/** Whether the viewer is a moderator now (on the WebSocket: as of this message, not of the connect). */
const isModerator = async (context: RequestContext): Promise<boolean> => isModeratorRole((await freshViewerOf(context))?.role);

@Resolver(() => Reportable)
export class ReportableFieldResolver {
  @FieldResolver(() => Boolean, {
    description:
      'True for a signed-in member who is not its author (for a Member: not that member), whether or not they reported it already; ' +
      'false for anonymous viewers and for the former-member stand-in (and for what reportContent would not find: a deleted ' +
      "comment's placeholder, removed content for anyone but its author and moderators).",
  })
  async viewerCanReport(@Root() root: ReportableContent, @Ctx() context: RequestContext): Promise<boolean> {
    const view = viewOf(root);
    const viewer = context.viewer;
    return viewer !== null && !view.gone && viewer.id !== view.authorId && (!view.removed || (await isModerator(context)));
  }

  @FieldResolver(() => Boolean, { description: 'True when the viewer has an OPEN report on it; false for anonymous viewers.' })
  viewerHasReported(@Root() root: ReportableContent, @Ctx() context: RequestContext): Promise<boolean> | boolean {
    if (context.viewer === null) return false;
    return context.loaders.viewerHasReportedBySubject.load(viewOf(root).subject);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'OPEN reports on it, each member counted once; null for anyone but moderators.' })
  async openReportCount(@Root() root: ReportableContent, @Ctx() context: RequestContext): Promise<number | null> {
    return (await isModerator(context)) ? context.loaders.openReportCountBySubject.load(viewOf(root).subject) : null;
  }
}

@Resolver(() => Report)
export class ReportFieldResolver {
  @FieldResolver(() => Reportable, {
    nullable: true,
    description:
      'The reported thread, poll, comment or member as the viewer may see it: null once its author deleted it, and for the reporter once it is removed.',
  })
  async subject(@Root() report: Report, @Ctx() context: RequestContext): Promise<ReportableContent | null> {
    const { loaders, viewer } = context;
    const moderator = await isModerator(context);
    const reaches = (content: Post | Comment) => content.moderationState !== 'REMOVED' || moderator || content.authorId === viewer?.id;
    if (report.subjectType === 'MEMBER') {
      const member = await loaders.memberById.load(report.subjectId);
      return member && !member.isFormerMember ? member : null;
    }
    if (report.subjectType === 'POST') {
      const post = await loaders.postById.load(report.subjectId);
      return post && reaches(post) ? post : null;
    }
    const comment = await loaders.commentById.load(report.subjectId);
    if (!comment || comment.deletedAt !== null || !reaches(comment)) return null;
    // A removed post takes its comments with it, as for every other read of them.
    const post = await loaders.postById.load(comment.postId);
    return post && reaches(post) ? comment : null;
  }

  @FieldResolver(() => ID, { description: "The reported subject's id, also once it is gone." })
  async subjectId(@Root() report: Report, @Ctx() context: RequestContext): Promise<string> {
    if (report.subjectType === 'MEMBER') return toGlobalId('Member', report.subjectId);
    if (report.subjectType === 'COMMENT') return toGlobalId('Comment', report.subjectId);
    const kind = await context.loaders.postKindById.load(report.subjectId);
    return toGlobalId(kind === 'POLL' ? 'Poll' : 'Thread', report.subjectId);
  }

  @FieldResolver(() => Member, { description: 'Who reported; the reporter sees themself, moderators see the reporter.' })
  async reporter(@Root() report: Report, @Ctx() context: RequestContext): Promise<Member> {
    const reporter = await context.loaders.memberById.load(report.reporterId);
    if (!reporter) throw new Error(`report ${report.id} has no reporter ${report.reporterId}`);
    return reporter;
  }

  @FieldResolver(() => Member, {
    nullable: true,
    description: 'The moderator who resolved it; null while OPEN, and always null for the reporter (moderators stay unnamed to members).',
  })
  async resolvedBy(@Root() report: Report, @Ctx() context: RequestContext): Promise<Member | null> {
    return report.resolvedBy !== null && (await isModerator(context)) ? context.loaders.memberById.load(report.resolvedBy) : null;
  }
}

/** node(id) for a Report: to moderators and to the member who made it; null for everyone else, the reported author included. */
export async function readableReport(id: number, context: RequestContext): Promise<Report | null> {
  const viewer = context.viewer;
  if (viewer === null) return null;
  const report = await context.loaders.reportById.load(id);
  return report && (report.reporterId === viewer.id || isModeratorRole(viewer.role)) ? report : null;
}

/** The thread, poll, comment or member a global ID names (the field `subjectId` of the input). */
function reportTargetOf(subjectId: string): ReportTarget {
  const { type, id } = idOf(subjectId, 'subjectId', ['Thread', 'Poll', 'Comment', 'Member'], 'Thread, poll, comment or member');
  const kinds = { Thread: 'THREAD', Poll: 'POLL', Comment: 'COMMENT', Member: 'MEMBER' } as const;
  return { kind: kinds[type], id };
}

/** Reports: the queue, reporting and resolving. */
@Resolver(() => Report)
export class ReportResolver {
  constructor(private readonly reports: ReportService) {}

  @Query(() => ReportConnection, {
    description:
      'Reports with the given status, moderators only: OPEN ones oldest first (first come, first served), ACTIONED and DISMISSED ' +
      'ones most recently resolved first. `first` is 1..100; an explicit null status means OPEN.',
  })
  async moderationQueue(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE_SIZE_DEFAULT, description: `How many reports to return, 1..${PAGE_SIZE_MAX}.` })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this list (same status): the reports after it.' }) after: string | null,
    @Arg('status', () => ReportStatus, {
      nullable: true,
      defaultValue: ReportStatus.OPEN,
      description: 'Which reports: OPEN (the default), ACTIONED or DISMISSED.',
    })
    status: ReportStatus | null,
  ): Promise<ReportConnection> {
    // The role before any argument: FORBIDDEN says nothing about the arguments.
    signedInModerator(context.viewer);
    const page = await this.reports.queue({ status: status ?? ReportStatus.OPEN, first: pageSize(first), after: after ?? null });
    page.nodes.forEach((report) => context.loaders.reportById.prime(report.id, report));
    return Object.assign(new ReportConnection(), page);
  }

  @Mutation(() => ReportContentPayload, {
    nullable: true,
    description:
      'Reports a thread, poll, comment or member to the moderators: any signed-in member (anonymous UNAUTHENTICATED). Reporting ' +
      "one's own post or comment, or oneself, is FORBIDDEN; a subject the reporter cannot see (deleted, removed, the former-member " +
      'stand-in, unknown) is NOT_FOUND; hidden content can be reported. Idempotent per member and subject: while the member has an ' +
      'OPEN report on the subject, reporting it again (also concurrently, also with another reason or note) creates nothing and ' +
      'returns that report unchanged; once it is resolved, a new report may be made. A new report appears in moderationQueue and ' +
      'moderationQueueUpdated. Counts toward the write limits.',
  })
  @UseMiddleware(CountsAsWrite)
  async reportContent(
    @Arg('input', () => ReportContentInput, { description: 'The subject, the reason and an optional note.' }) input: ReportContentInput,
    @Ctx() context: RequestContext,
  ): Promise<ReportContentPayload> {
    const viewer = signedIn(context.viewer);
    const report = await atArgument('input', () =>
      this.reports.report(viewer, { target: reportTargetOf(input.subjectId), reason: input.reason, note: input.note }),
    );
    context.loaders.afterReportChange();
    return { report };
  }

  @Mutation(() => ResolveReportPayload, {
    nullable: true,
    description:
      'Closes an OPEN report as ACTIONED or DISMISSED: moderators only. It leaves the OPEN queue and is listed under its new status. ' +
      'A report that is no longer OPEN is BAD_USER_INPUT on input.reportId (of two concurrent resolutions exactly one succeeds). ' +
      'The subject itself does not change: act on it with moderateContent, lockPost or suspendMember. Logged as RESOLVE_REPORT; ' +
      'pushed to moderationQueueUpdated.',
  })
  async resolveReport(
    @Arg('input', () => ResolveReportInput, { description: 'The report and the resolution.' }) input: ResolveReportInput,
    @Ctx() context: RequestContext,
  ): Promise<ResolveReportPayload> {
    // A moderator's action: not counted toward the write limits.
    const moderator = signedInModerator(context.viewer);
    const report = await atArgument('input', () =>
      this.reports.resolve(moderator, { reportId: idOf(input.reportId, 'reportId', ['Report'], 'Report').id, resolution: input.resolution, note: input.note }),
    );
    context.loaders.afterReportChange();
    return { report };
  }
}
