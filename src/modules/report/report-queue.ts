/**
 * The moderation queue's change log: every report created or resolved appends one change, numbered
 * in commit order, in the transaction of the change, and announces it after commit.
 */
import type { EntityManager } from 'typeorm';
import type { UnitOfWork } from '../../db/database';
import { affectedRows, serializeAppends } from '../../db/dialect';
import type { DomainEvent } from '../events';
import { Report } from './report.entity';
import { ReportQueueChange } from './report-queue-change.entity';

/** The advisory-lock key the queue's writers serialize on (PostgreSQL). */
const QUEUE_APPEND_LOCK = 741_100;

type Publish = UnitOfWork<DomainEvent>['publishAfterCommit'];

/** Appends the changes of these reports (each now in `status`), numbered in commit order; publishes the last number after commit. */
export async function appendQueueChanges(manager: EntityManager, reportIds: readonly number[], status: string, publishAfterCommit: Publish): Promise<void> {
  if (reportIds.length === 0) return;
  await serializeAppends(manager, QUEUE_APPEND_LOCK);
  const { latest } = (await manager
    .getRepository(ReportQueueChange)
    .createQueryBuilder('q')
    .select('MAX(q.seq)', 'latest')
    .getRawOne<{ latest: number | string | null }>()) ?? { latest: null };
  let seq = Number(latest ?? 0);
  const now = new Date();
  await manager.getRepository(ReportQueueChange).insert(reportIds.map((reportId) => ({ seq: ++seq, reportId, status, createdAt: now })));
  publishAfterCommit({ type: 'reportQueueChanged', seq });
}

/**
 * Resolves every OPEN report on a subject as ACTIONED (moderateContent HIDE or REMOVE), inside the
 * caller's transaction: the reports resolved, each appended to the queue's changes.
 */
export async function resolveOpenReportsOn(
  manager: EntityManager,
  subject: { type: Report['subjectType']; id: number },
  moderatorId: number,
  publishAfterCommit: Publish,
): Promise<Report[]> {
  const open = await manager.getRepository(Report).find({ where: { subjectType: subject.type, subjectId: subject.id, status: 'OPEN' }, order: { id: 'ASC' } });
  if (open.length === 0) return [];
  const now = new Date();
  // One conditional UPDATE per report, counted by the rows it changed: a resolveReport that committed
  // since the read (it takes no post lock) keeps its resolution, and is neither resolved twice nor
  // announced twice on the queue.
  const resolved: Report[] = [];
  for (const report of open) {
    const result = await manager
      .createQueryBuilder()
      .update(Report)
      .set({ status: 'ACTIONED', resolvedAt: now, resolvedBy: moderatorId })
      .where('id = :id AND status = :open', { id: report.id, open: 'OPEN' })
      .execute();
    if (affectedRows(result) === 1) resolved.push(Object.assign(report, { status: 'ACTIONED', resolvedAt: now, resolvedBy: moderatorId }));
  }
  await appendQueueChanges(
    manager,
    resolved.map((report) => report.id),
    'ACTIONED',
    publishAfterCommit,
  );
  return resolved;
}
