/**
 * Revisions: every version of a post's or comment's text, kept in the
 * revisions table. Writers call `record` inside their own transaction, after
 * taking the post's row lock, so versions are numbered in commit order.
 * Reads serve Editable.revisions (newest first, keyset pages on `number`,
 * which is unique per item and never changes) for many items at once.
 */
import { EntityManager, In } from 'typeorm';
import type { Database } from '../../db/database';
import { encodeCursor, decodeCursor, Page, toPage } from '../../graphql/pagination';
import type { DomainEvent } from '../events';
import { Revision, RevisionSubjectType } from './revision.entity';

/** A version's text: what a Revision shows. */
export interface RevisionText {
  title: string | null;
  body: string | null;
  optionLabels: readonly string[] | null;
}

export interface RevisionSubject {
  type: RevisionSubjectType;
  id: number;
}

/** One page of one item's versions. */
export interface RevisionPageRequest {
  subject: RevisionSubject;
  first: number;
  after: string | null;
}

/** The order name inside revision cursors: a cursor of another list (posts, comments) is refused. */
const REVISION_ORDER = 'REVISIONS';

export function revisionCursor(revision: Revision): string {
  return encodeCursor(REVISION_ORDER, [revision.number]);
}

/** The version number an `after` cursor stands for; BAD_USER_INPUT on `after` when it is no revision cursor. */
export function revisionCursorNumber(cursor: string | null): number | null {
  return cursor === null ? null : decodeCursor(cursor, REVISION_ORDER, ['int32'])[0];
}

/** A subject as a map key: "POST:12". */
export function subjectKey(subject: RevisionSubject): string {
  return `${subject.type}:${subject.id}`;
}

export class RevisionService {
  constructor(private readonly db: Database<DomainEvent>) {}

  /**
   * Writes the next version of `subject` (1 for new content), inside the caller's transaction.
   * The caller holds the post's row lock, so no other writer numbers a version of it meanwhile.
   */
  async record(manager: EntityManager, subject: RevisionSubject, editorId: number, createdAt: Date, text: RevisionText): Promise<Revision> {
    return this.insert(manager, subject, (await this.latestNumber(manager, subject)) + 1, editorId, createdAt, text);
  }

  /** Version 1 of new content, written in the transaction that creates it. */
  recordFirst(manager: EntityManager, subject: RevisionSubject, editorId: number, createdAt: Date, text: RevisionText): Promise<Revision> {
    return this.insert(manager, subject, 1, editorId, createdAt, text);
  }

  findByIds(ids: readonly number[]): Promise<Revision[]> {
    return this.db.read((manager) => manager.getRepository(Revision).find({ where: { id: In([...ids]) } }));
  }

  /**
   * Pages of many items' versions, newest first, in one query per distinct
   * (first, after) (usually one for a whole page of posts or comments): a
   * window function ranks every item's versions at once.
   */
  async pages(requests: readonly RevisionPageRequest[]): Promise<Page<Revision>[]> {
    const groups = new Map<string, RevisionPageRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.first, request.after]);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const bySubject = new Map<string, Revision[]>();
    for (const group of groups.values()) {
      const rows = await this.rankedRows(group);
      for (const request of group) {
        const key = subjectKey(request.subject);
        const mine = rows.filter((row) => row.subjectType === request.subject.type && row.subjectId === request.subject.id);
        bySubject.set(
          `${key}|${request.first}|${request.after}`,
          mine.sort((a, b) => b.number - a.number),
        );
      }
    }
    return requests.map((request) =>
      toPage(bySubject.get(`${subjectKey(request.subject)}|${request.first}|${request.after}`) ?? [], request.first, request.after !== null, revisionCursor),
    );
  }

  private rankedRows(group: readonly RevisionPageRequest[]): Promise<Revision[]> {
    const { first, after } = group[0];
    const before = revisionCursorNumber(after);
    const ids = (type: RevisionSubjectType) => group.filter((request) => request.subject.type === type).map((request) => request.subject.id);
    const postIds = ids('POST');
    const commentIds = ids('COMMENT');
    const subjects = [
      ...(postIds.length > 0 ? ["(r.subject_type = 'POST' AND r.subject_id IN (:...postIds))"] : []),
      ...(commentIds.length > 0 ? ["(r.subject_type = 'COMMENT' AND r.subject_id IN (:...commentIds))"] : []),
    ];
    const conditions = [`(${subjects.join(' OR ')})`, ...(before === null ? [] : ['r.number < :before'])];
    const ranked =
      'SELECT ranked.id FROM (SELECT r.id AS id, ROW_NUMBER() OVER (PARTITION BY r.subject_type, r.subject_id ORDER BY r.number DESC) AS rn ' +
      `FROM revisions r WHERE ${conditions.join(' AND ')}) ranked WHERE ranked.rn <= :limit`;
    return this.db.read((manager) =>
      manager
        .getRepository(Revision)
        .createQueryBuilder('v')
        .where(`v.id IN (${ranked})`, { postIds, commentIds, before, limit: first + 1 })
        .getMany(),
    );
  }

  /** How many versions each item has (RevisionConnection.totalCount), one query for many items. */
  async counts(subjects: readonly RevisionSubject[]): Promise<Map<string, number>> {
    const postIds = subjects.filter((subject) => subject.type === 'POST').map((subject) => subject.id);
    const commentIds = subjects.filter((subject) => subject.type === 'COMMENT').map((subject) => subject.id);
    const rows = await this.db.read((manager) =>
      manager
        .getRepository(Revision)
        .createQueryBuilder('r')
        .select('r.subject_type', 'type')
        .addSelect('r.subject_id', 'id')
        .addSelect('COUNT(*)', 'count')
        .where("(r.subject_type = 'POST' AND r.subject_id IN (:...postIds)) OR (r.subject_type = 'COMMENT' AND r.subject_id IN (:...commentIds))", {
          // An empty IN () is no valid SQL: 0 is no id.
          postIds: postIds.length > 0 ? postIds : [0],
          commentIds: commentIds.length > 0 ? commentIds : [0],
        })
        .groupBy('r.subject_type')
        .addGroupBy('r.subject_id')
        .getRawMany<{ type: RevisionSubjectType; id: number | string; count: number | string }>(),
    );
    return new Map(rows.map((row) => [subjectKey({ type: row.type, id: Number(row.id) }), Number(row.count)]));
  }

  private async latestNumber(manager: EntityManager, subject: RevisionSubject): Promise<number> {
    const { latest } = (await manager
      .getRepository(Revision)
      .createQueryBuilder('r')
      .select('MAX(r.number)', 'latest')
      .where('r.subject_type = :type AND r.subject_id = :id', subject)
      .getRawOne<{ latest: number | string | null }>()) ?? { latest: null };
    return Number(latest ?? 0);
  }

  private async insert(
    manager: EntityManager,
    subject: RevisionSubject,
    number: number,
    editorId: number,
    createdAt: Date,
    text: RevisionText,
  ): Promise<Revision> {
    const revision = manager.getRepository(Revision).create({
      subjectType: subject.type,
      subjectId: subject.id,
      number,
      editorId,
      createdAt,
      title: text.title,
      body: text.body,
      optionLabels: text.optionLabels === null ? null : JSON.stringify(text.optionLabels),
    });
    await manager.getRepository(Revision).insert(revision);
    return revision;
  }
}
