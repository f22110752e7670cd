/**
 * Reports and the moderation queue: reporting (reportContent), resolving (resolveReport), the
 * queue's pages, and the batched reads behind Reportable's fields and the live queue.
 *
 * - One OPEN report per reporter and subject: the partial unique index decides, also under
 *   concurrency (INSERT ... ON CONFLICT DO NOTHING, then the OPEN report is read back by its key),
 *   so ten identical reports at once make one, and every caller gets that one.
 * - Every report created or resolved appends a numbered change to the queue's log
 *   (report-queue.ts) in its own transaction; moderationQueueUpdated replays that log.
 * - A reporter reaches what they may read: a post or comment deleted by its author, the
 *   former-member stand-in and unknown ids are NOT_FOUND, and so is removed content (and the
 *   comments of a removed post) for anyone but its author and moderators. Hidden content stays
 *   reportable: it is still there, only its text is withheld.
 */
import { EntityManager, In } from 'typeorm';
import type { Database } from '../../db/database';
import { affectedRows, insertIgnoringDuplicate } from '../../db/dialect';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { cleanOptionalText } from '../../graphql/input-validation';
import { decodeCursor, encodeCursor, Page, toPage } from '../../graphql/pagination';
import type { CommentService } from '../comment/comment.service';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import type { MemberService } from '../member/member.service';
import type { ModerationLogService } from '../moderation/moderation-log.service';
import { ModerationReason } from '../moderation/moderation.enums';
import { contentViewerOfMember, isRemovedFor, ModeratedContent } from '../moderation/visibility';
import { Post, PostKind } from '../post/post.entity';
import type { PostService } from '../post/post.service';
import { appendQueueChanges } from './report-queue';
import { ReportQueueChange } from './report-queue-change.entity';
import { ReportResolution, ReportStatus } from './report.enums';
import { Report, ReportSubjectType } from './report.entity';

export const REPORT_NOTE_MAX = 1000;

/** What a report is about, by database id. */
export interface ReportSubject {
  type: ReportSubjectType;
  id: number;
}

/** "POST:12": a subject as a map or cache key. */
export function subjectKey(subject: ReportSubject): string {
  return `${subject.type}:${subject.id}`;
}

/** What a member reports, as the API edge decoded it: a post of its kind, a comment or a member. */
export interface ReportTarget {
  kind: PostKind | 'COMMENT' | 'MEMBER';
  id: number;
}

/** One page of moderationQueue. */
export interface QueuePageRequest {
  status: ReportStatus;
  first: number;
  after: string | null;
}

export type ReportPage = Page<Report> & { countTotal: () => Promise<number> };

/** The cursor order of a queue of one status: a cursor of one status is refused by another. */
const queueOrder = (status: ReportStatus) => `REPORTS_${status}`;

/**
 * Whether `viewer` may reach the content: not when it is removed for them (the one rule, visibility.ts;
 * the other mutations check it at the API edge, moderation/reach.ts). Checked here, under the post's
 * row lock, since a report must not reach content whose removal committed first.
 */
function mayReach(viewer: Member, content: ModeratedContent): boolean {
  return !isRemovedFor(contentViewerOfMember(viewer), content);
}

export class ReportService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly members: Pick<MemberService, 'findByIds'>,
    private readonly posts: PostService,
    private readonly comments: CommentService,
    private readonly log: ModerationLogService,
  ) {}

  /**
   * Reports `target` (reportContent). Idempotent per member and subject: while the viewer's report
   * on it is OPEN, that report is returned unchanged (another reason or note included) and nothing
   * is written; once it is resolved, a new one may be made.
   */
  async report(viewer: Member, input: { target: ReportTarget; reason: string; note?: string | null }): Promise<Report> {
    if (!Object.values<string>(ModerationReason).includes(input.reason)) throw new BadUserInputError('reason', 'is not a ModerationReason.');
    const note = cleanOptionalText(input.note, 'note', { max: REPORT_NOTE_MAX, multiline: true });
    if (input.reason === ModerationReason.OTHER && note === null) throw new BadUserInputError('note', 'is needed when the reason is OTHER.');
    const subject: ReportSubject = {
      type: input.target.kind === 'COMMENT' || input.target.kind === 'MEMBER' ? input.target.kind : 'POST',
      id: input.target.id,
    };
    // Members are read before the unit of work (a read inside it would queue behind it on SQLite);
    // an account deleted in between leaves a report on the stand-in, which moderators simply dismiss.
    if (subject.type === 'MEMBER') await this.checkMember(viewer, subject.id);

    return this.db.write(async ({ manager, publishAfterCommit }) => {
      if (input.target.kind === 'COMMENT') await this.checkComment(manager, viewer, subject.id);
      else if (input.target.kind !== 'MEMBER') await this.checkPost(manager, viewer, { id: subject.id, kind: input.target.kind });
      const key = { reporterId: viewer.id, subjectType: subject.type, subjectId: subject.id };
      const inserted = await insertIgnoringDuplicate(manager, Report, {
        ...key,
        reason: input.reason,
        note,
        status: ReportStatus.OPEN,
        createdAt: new Date(),
        resolvedAt: null,
        resolvedBy: null,
      });
      // Inserted or not, exactly one OPEN report of this key exists now: the index says so.
      const report = await manager.getRepository(Report).findOneOrFail({ where: { ...key, status: ReportStatus.OPEN } });
      if (inserted) await appendQueueChanges(manager, [report.id], ReportStatus.OPEN, publishAfterCommit);
      return report;
    });
  }

  private async checkMember(viewer: Member, memberId: number): Promise<void> {
    const [member] = await this.members.findByIds([memberId]);
    if (!member || member.isFormerMember) throw new NotFoundError('Member', 'subjectId');
    if (member.id === viewer.id) throw new ForbiddenError('You cannot report yourself.');
  }

  /** The post's row lock first (the lock order of every write on a post), so a deletion or removal racing this is seen. */
  private async checkPost(manager: EntityManager, viewer: Member, ref: { id: number; kind: PostKind }): Promise<void> {
    await this.posts.lockRow(manager, ref.id);
    const post = await this.posts.findOfKind(manager, ref.id, ref.kind);
    if (!post || !mayReach(viewer, post)) throw new NotFoundError('Post', 'subjectId');
    if (post.authorId === viewer.id) throw new ForbiddenError('You cannot report your own post.');
  }

  private async checkComment(manager: EntityManager, viewer: Member, commentId: number): Promise<void> {
    const found = await this.comments.findUndeleted(manager, commentId);
    if (!found) throw new NotFoundError('Comment', 'subjectId');
    await this.posts.lockRow(manager, found.postId);
    // Read again under the lock: the comment, and the post it hangs off (a removed post takes its comments with it).
    const comment = await this.comments.findUndeleted(manager, commentId);
    const post = comment ? await this.posts.reload(manager, comment.postId) : null;
    if (!comment || !post || !mayReach(viewer, post) || !mayReach(viewer, comment)) throw new NotFoundError('Comment', 'subjectId');
    if (comment.authorId === viewer.id) throw new ForbiddenError('You cannot report your own comment.');
  }

  /**
   * Closes an OPEN report (resolveReport): of two concurrent resolutions exactly one succeeds (the
   * conditional UPDATE decides), the other is BAD_USER_INPUT on reportId. Logged as RESOLVE_REPORT
   * and appended to the queue's changes, in the same transaction.
   */
  async resolve(moderator: Member, input: { reportId: number; resolution: string; note?: string | null }): Promise<Report> {
    if (!Object.values<string>(ReportResolution).includes(input.resolution)) throw new BadUserInputError('resolution', 'must be ACTIONED or DISMISSED.');
    const note = cleanOptionalText(input.note, 'note', { max: REPORT_NOTE_MAX, multiline: true });
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const report = await manager.getRepository(Report).findOne({ where: { id: input.reportId } });
      if (!report) throw new NotFoundError('Report', 'reportId');
      const now = new Date();
      const result = await manager
        .createQueryBuilder()
        .update(Report)
        .set({ status: input.resolution, resolvedAt: now, resolvedBy: moderator.id })
        .where('id = :id AND status = :open', { id: report.id, open: ReportStatus.OPEN })
        .execute();
      if (affectedRows(result) !== 1) throw new BadUserInputError('reportId', 'is not OPEN: the report was resolved already.');
      await appendQueueChanges(manager, [report.id], input.resolution, publishAfterCommit);
      await this.log.record(
        manager,
        { action: 'RESOLVE_REPORT', subjectType: 'REPORT', subjectId: report.id, moderatorId: moderator.id, note, resolution: input.resolution },
        now,
      );
      return Object.assign(report, { status: input.resolution, resolvedAt: now, resolvedBy: moderator.id });
    });
  }

  /**
   * One page of the queue of one status: OPEN oldest first (first come, first served), resolved
   * ones most recently resolved first. Keyset pagination on (time, id).
   */
  async queue(request: QueuePageRequest): Promise<ReportPage> {
    const order = queueOrder(request.status);
    const key = request.after === null ? null : decodeCursor(request.after, order, ['time', 'int32']);
    const open = request.status === ReportStatus.OPEN;
    const column = open ? 'r.created_at' : 'r.resolved_at';
    const [comparison, direction] = open ? (['>', 'ASC'] as const) : (['<', 'DESC'] as const);
    const rows = await this.db.read((manager) => {
      const query = manager.getRepository(Report).createQueryBuilder('r').where('r.status = :status', { status: request.status });
      if (key) query.andWhere(`(${column} ${comparison} :k0 OR (${column} = :k0 AND r.id ${comparison} :k1))`, { k0: key[0], k1: key[1] });
      return query
        .orderBy(column, direction)
        .addOrderBy('r.id', direction)
        .limit(request.first + 1)
        .getMany();
    });
    const cursorOf = (report: Report) => encodeCursor(order, [(open ? report.createdAt : (report.resolvedAt ?? report.createdAt)).getTime(), report.id]);
    return {
      ...toPage(rows, request.first, request.after !== null, cursorOf),
      countTotal: () => this.db.read((manager) => manager.getRepository(Report).count({ where: { status: request.status } })),
    };
  }

  findByIds(ids: readonly number[]): Promise<Report[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.read((manager) => manager.getRepository(Report).find({ where: { id: In([...ids]) } }));
  }

  /** OPEN reports per subject, each reporter once: "POST:12" -> count, one query for many subjects. */
  async openReportCounts(subjects: readonly ReportSubject[]): Promise<Map<string, number>> {
    if (subjects.length === 0) return new Map();
    const rows = await this.db.read((manager) => {
      const query = manager
        .getRepository(Report)
        .createQueryBuilder('r')
        .select('r.subject_type', 'subjectType')
        .addSelect('r.subject_id', 'subjectId')
        .addSelect('COUNT(DISTINCT r.reporter_id)', 'count')
        .where('r.status = :open', { open: ReportStatus.OPEN });
      return whereSubjectIn(query, subjects)
        .groupBy('r.subject_type')
        .addGroupBy('r.subject_id')
        .getRawMany<{ subjectType: ReportSubjectType; subjectId: number | string; count: number | string }>();
    });
    return new Map(rows.map((row) => [subjectKey({ type: row.subjectType, id: Number(row.subjectId) }), Number(row.count)]));
  }

  /** Which of these members have an OPEN report on which of these subjects: "memberId:POST:12" keys, one query. */
  async openReportsAmong(memberIds: readonly number[], subjects: readonly ReportSubject[]): Promise<Set<string>> {
    if (memberIds.length === 0 || subjects.length === 0) return new Set();
    const rows = await this.db.read((manager) => {
      const query = manager
        .getRepository(Report)
        .createQueryBuilder('r')
        .select('r.reporter_id', 'reporterId')
        .addSelect('r.subject_type', 'subjectType')
        .addSelect('r.subject_id', 'subjectId')
        .where('r.status = :open AND r.reporter_id IN (:...memberIds)', { open: ReportStatus.OPEN, memberIds: [...memberIds] });
      return whereSubjectIn(query, subjects).getRawMany<{ reporterId: number | string; subjectType: ReportSubjectType; subjectId: number | string }>();
    });
    return new Set(rows.map((row) => `${Number(row.reporterId)}:${subjectKey({ type: row.subjectType, id: Number(row.subjectId) })}`));
  }

  /**
   * The kind of each post, deleted ones included: Report.subjectId names a reported post as a
   * Thread or Poll also once it is gone, which the post module's reads (leaving deleted posts out
   * by design) cannot tell. Reads only the id and kind.
   */
  async postKinds(ids: readonly number[]): Promise<Map<number, PostKind>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.read((manager) => manager.getRepository(Post).find({ where: { id: In([...ids]) }, select: { id: true, kind: true } }));
    return new Map(rows.map((post) => [post.id, post.kind]));
  }

  /** The number of the queue's latest change; 0 while there is none. */
  async latestQueueSeq(): Promise<number> {
    const row = await this.db.read((manager) =>
      manager.getRepository(ReportQueueChange).createQueryBuilder('q').select('MAX(q.seq)', 'latest').getRawOne<{ latest: number | string | null }>(),
    );
    return Number(row?.latest ?? 0);
  }

  /** The queue's changes after number `seq`, in order (= commit order), at most `limit`. */
  queueChangesAfter(seq: number, limit: number): Promise<ReportQueueChange[]> {
    return this.db.read((manager) =>
      manager.getRepository(ReportQueueChange).createQueryBuilder('q').where('q.seq > :seq', { seq }).orderBy('q.seq', 'ASC').limit(limit).getMany(),
    );
  }
}

/** Keeps the rows of `query` (alias r) about one of `subjects`: one IN list per subject type. */
function whereSubjectIn<Q extends { andWhere(condition: string, parameters: Record<string, unknown>): Q }>(query: Q, subjects: readonly ReportSubject[]): Q {
  const byType = new Map<ReportSubjectType, number[]>();
  for (const subject of subjects) byType.set(subject.type, [...(byType.get(subject.type) ?? []), subject.id]);
  const conditions: string[] = [];
  const parameters: Record<string, unknown> = {};
  for (const [type, ids] of byType) {
    conditions.push(`(r.subject_type = :type_${type} AND r.subject_id IN (:...ids_${type}))`);
    parameters[`type_${type}`] = type;
    parameters[`ids_${type}`] = [...new Set(ids)];
  }
  return query.andWhere(`(${conditions.join(' OR ')})`, parameters);
}
