/**
 * The moderation log: every moderation change records its entry inside its own transaction, so the
 * log holds exactly the changes that took effect; and its reads (Query.moderationLog, node(id)).
 * Append-only: nothing here (or anywhere) updates or deletes an entry, so a cursor, which is an
 * entry's id, stays valid for good.
 */
import { EntityManager, In } from 'typeorm';
import type { Database } from '../../db/database';
import { decodeCursor, encodeCursor, Page, toPage } from '../../graphql/pagination';
import type { DomainEvent } from '../events';
import { ModerationLogEntry, ModerationSubjectType } from './moderation-log.entity';

export type NewLogEntry = Pick<ModerationLogEntry, 'action' | 'subjectType' | 'subjectId' | 'moderatorId'> &
  Partial<Pick<ModerationLogEntry, 'reason' | 'note' | 'role' | 'suspendedUntil' | 'resolution'>>;

/** What a log entry is about, by database id. */
export interface LogSubject {
  type: ModerationSubjectType;
  id: number;
}

/** One page of the log: `first` newest entries after the cursor `after`, only `subject`'s when given. */
export interface LogPageRequest {
  first: number;
  after: string | null;
  subject: LogSubject | null;
}

/** A cursor works only for the list that issued it: the whole log, or one subject's entries. */
function orderOf(subject: LogSubject | null): string {
  return subject ? `LOG:${subject.type}:${subject.id}` : 'LOG';
}

export class ModerationLogService {
  constructor(private readonly db: Database<DomainEvent>) {}

  /** Appends one entry, inside the caller's transaction (the change it records). */
  async record(manager: EntityManager, entry: NewLogEntry, now = new Date()): Promise<ModerationLogEntry> {
    const row = manager.getRepository(ModerationLogEntry).create({
      reason: null,
      note: null,
      role: null,
      suspendedUntil: null,
      resolution: null,
      ...entry,
      createdAt: now,
    });
    await manager.getRepository(ModerationLogEntry).insert(row);
    return row;
  }

  /**
   * Newest first: by id, descending. Ids are given in insertion order, and every entry is written
   * in the transaction of its change, so the order is the order the changes were made (on
   * PostgreSQL two changes committing at the same moment may swap; each still appears once).
   */
  async page(request: LogPageRequest): Promise<Page<ModerationLogEntry>> {
    const order = orderOf(request.subject);
    // Checked before the database is asked: a cursor of another list is BAD_USER_INPUT on `after`.
    const afterId = request.after === null ? null : decodeCursor(request.after, order, ['int32'])[0];
    const rows = await this.db.read((manager) => {
      const query = manager.getRepository(ModerationLogEntry).createQueryBuilder('e');
      if (request.subject) query.where('e.subject_type = :type AND e.subject_id = :id', request.subject);
      if (afterId !== null) query.andWhere('e.id < :afterId', { afterId });
      return query
        .orderBy('e.id', 'DESC')
        .limit(request.first + 1)
        .getMany();
    });
    return toPage(rows, request.first, request.after !== null, (entry) => encodeCursor(order, [entry.id]));
  }

  /** How many entries the list holds (its totalCount). */
  count(subject: LogSubject | null): Promise<number> {
    return this.db.read((manager) =>
      manager.getRepository(ModerationLogEntry).count({ where: subject ? { subjectType: subject.type, subjectId: subject.id } : {} }),
    );
  }

  findByIds(ids: readonly number[]): Promise<ModerationLogEntry[]> {
    return this.db.read((manager) => manager.getRepository(ModerationLogEntry).find({ where: { id: In([...ids]) } }));
  }
}
