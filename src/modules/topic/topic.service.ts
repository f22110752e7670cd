/**
 * Topics are created from names on first use; the slug is the key, so
 * "Remote Work", "remote work" and "Remote  Work" are one topic.
 */
import { EntityManager, In } from 'typeorm';
import type { Database } from '../../db/database';
import { affectedRows, insertIgnoringDuplicate } from '../../db/dialect';
import { plainRows } from '../../db/plain-rows';
import { BadUserInputError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import type { DomainEvent } from '../events';
import { PostTopic, Topic } from './topic.entity';

export const MAX_TOPICS_PER_POST = 10;
const MAX_SLUG_LENGTH = 100;

/**
 * "Remote Work" -> "remote-work". Latin accents are folded ("Café" -> "cafe");
 * letters of other scripts are kept ("Кибербезопасность" -> "кибербезопасность"),
 * so every name with a letter or digit has a slug (URL-safe once percent-encoded).
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  // Compatibility forms can expand a lot ("ﷺ" is 18 letters): keep slugs within their column.
  return [...slug].slice(0, MAX_SLUG_LENGTH).join('').replace(/-+$/, '');
}

export interface TopicName {
  name: string;
  slug: string;
}

/** Validates topic names of an input; duplicates (same slug) collapse to the first. */
export function cleanTopicNames(names: readonly string[] | null | undefined, field: string): TopicName[] {
  if (names === null || names === undefined) return [];
  const bySlug = new Map<string, TopicName>();
  names.forEach((raw, index) => {
    const name = cleanText(raw, `${field}[${index}]`, { min: 1, max: 50 }).replace(/\s+/g, ' ');
    const slug = slugify(name);
    if (slug === '') throw new BadUserInputError(`${field}[${index}]`, 'needs at least one letter or digit.');
    if (!bySlug.has(slug)) bySlug.set(slug, { name, slug });
  });
  if (bySlug.size > MAX_TOPICS_PER_POST) throw new BadUserInputError(field, `must name at most ${MAX_TOPICS_PER_POST} topics.`);
  return [...bySlug.values()];
}

export class TopicService {
  constructor(private readonly db: Database<DomainEvent>) {}

  /** Files a new post under topics, creating unknown ones; runs inside the post's transaction. */
  async attachToPost(manager: EntityManager, postId: number, topics: readonly TopicName[]): Promise<void> {
    for (const topic of topics) {
      await insertIgnoringDuplicate(manager, Topic, { slug: topic.slug, name: topic.name, postCount: 0 });
      const row = await manager.getRepository(Topic).findOneOrFail({ where: { slug: topic.slug } });
      if (await insertIgnoringDuplicate(manager, PostTopic, { postId, topicId: row.id })) {
        await manager.getRepository(Topic).increment({ id: row.id }, 'postCount', 1);
      }
    }
  }

  /**
   * A post filed under topics was deleted (softly, in the caller's transaction): each of its topics
   * counts one post less. The post_topics rows stay with the deleted post; lists leave it out by
   * its deleted_at, so postCount goes on counting exactly the undeleted posts listed under the topic.
   */
  async forgetDeletedPost(manager: EntityManager, postId: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Topic)
      .set({ postCount: () => 'post_count - 1' })
      .where('id IN (SELECT pt.topic_id FROM post_topics pt WHERE pt.post_id = :postId)', { postId })
      .execute();
  }

  /**
   * The inverse of forgetDeletedPost, for a post a moderator restores (moderateContent RESTORE of a
   * REMOVED post): each of its topics counts it again, in the caller's transaction, which holds the
   * post's row lock (so a restore and a removal of one post never interleave).
   */
  async countRestoredPost(manager: EntityManager, postId: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Topic)
      .set({ postCount: () => 'post_count + 1' })
      .where('id IN (SELECT pt.topic_id FROM post_topics pt WHERE pt.post_id = :postId)', { postId })
      .execute();
  }

  /**
   * Files a post under exactly `topics` (an edit), inside the post's transaction, which holds the
   * post's row lock. postCount stays exact: it drops by one only for a post_topics row this
   * statement really deleted and rises only for one it really inserted. Whether anything changed.
   */
  async replacePostTopics(manager: EntityManager, postId: number, topics: readonly TopicName[]): Promise<boolean> {
    const current = await manager
      .getRepository(Topic)
      .createQueryBuilder('t')
      .innerJoin(PostTopic, 'pt', 'pt.topic_id = t.id')
      .where('pt.post_id = :postId', { postId })
      .getMany();
    const wanted = new Set(topics.map((topic) => topic.slug));
    const present = new Set(current.map((topic) => topic.slug));
    // By id, so that concurrent edits of posts sharing topics lock topic rows in one order.
    const removed = current.filter((topic) => !wanted.has(topic.slug)).sort((a, b) => a.id - b.id);
    let changed = false;
    for (const topic of removed) {
      if (affectedRows(await manager.getRepository(PostTopic).delete({ postId, topicId: topic.id })) === 1) {
        await manager.getRepository(Topic).decrement({ id: topic.id }, 'postCount', 1);
        changed = true;
      }
    }
    // In slug order, like the removals by id: two edits adding the same topics lock their rows in one order.
    const added = topics.filter((topic) => !present.has(topic.slug)).sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    if (added.length > 0) {
      await this.attachToPost(manager, postId, added);
      changed = true;
    }
    return changed;
  }

  /**
   * SQL selecting the ids of the posts filed under the topic whose slug is
   * the parameter `:slug`: a subquery, so that a post list stays one statement.
   */
  postIdsUnderTopicSql(): string {
    return 'SELECT pt.post_id FROM post_topics pt INNER JOIN topics t ON t.id = pt.topic_id WHERE t.slug = :slug';
  }

  /** SQL counting the topics the post `postIdSql` shares with the post in the parameter `:relatedId` (a subquery). */
  sharedTopicCountSql(postIdSql: string): string {
    return (
      `(SELECT COUNT(*) FROM post_topics shared WHERE shared.post_id = ${postIdSql} AND shared.topic_id IN ` +
      '(SELECT own.topic_id FROM post_topics own WHERE own.post_id = :relatedId))'
    );
  }

  /** Most used first; ties by name so the order is stable. */
  list(): Promise<Topic[]> {
    return this.db.read((manager) =>
      manager.getRepository(Topic).createQueryBuilder('t').orderBy('t.post_count', 'DESC').addOrderBy('t.name', 'ASC').addOrderBy('t.id', 'ASC').getMany(),
    );
  }

  findBySlug(slug: string): Promise<Topic | null> {
    return this.db.read((manager) => manager.getRepository(Topic).findOne({ where: { slug } }));
  }

  findByIds(ids: readonly number[]): Promise<Topic[]> {
    return this.db.read((manager) => manager.getRepository(Topic).find({ where: { id: In([...ids]) } }));
  }

  /** Topics of many posts in one query, in name order. */
  async topicsOfPosts(postIds: readonly number[]): Promise<Map<number, Topic[]>> {
    // Plain SQL (src/db/plain-rows.ts): every thread page asks this (the post's topics).
    const rows = await this.db.read((manager) =>
      plainRows(
        manager,
        'SELECT t.id AS id, t.slug AS slug, t.name AS name, t.post_count AS post_count, pt.post_id AS post_id ' +
          'FROM topics t INNER JOIN post_topics pt ON pt.topic_id = t.id WHERE pt.post_id IN (:...postIds) ORDER BY t.name ASC',
        { postIds: [...postIds] },
      ),
    );
    const result = new Map<number, Topic[]>(postIds.map((id) => [id, []]));
    for (const row of rows) {
      const topic = Object.assign(new Topic(), { id: Number(row.id), slug: String(row.slug), name: String(row.name), postCount: Number(row.post_count) });
      result.get(Number(row.post_id))?.push(topic);
    }
    return result;
  }
}
