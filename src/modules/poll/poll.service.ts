/**
 * Polls: creation, votes, retraction, closing by the author. Closing at
 * closesAt is poll-closing.ts; the reads behind Poll.results, options and
 * the live API are poll-reads.service.ts.
 *
 * Tallies stay exact under concurrency because every counter moves only by
 * the rows a statement really changed: a vote row inserted (ON CONFLICT DO
 * NOTHING reports whether it was) or deleted (the DELETE's row count), in the
 * same transaction as the counter. The poll's results_version rises in that
 * same transaction whenever anything shown in PollResults changes.
 */
import { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import { affectedRows, insertIgnoringDuplicate } from '../../db/dialect';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { cleanOptionalText, cleanText } from '../../graphql/input-validation';
import type { UnitOfWork } from '../../db/database';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import { PostLockedError } from '../moderation/moderation.errors';
import type { BreakdownPublisher } from '../insights/breakdown-publisher';
import type { PollResultsChange } from '../post/poll-columns';
import type { Post, ResultsVisibility } from '../post/post.entity';
import type { PostAuthoringService } from '../post/post-authoring.service';
import { POST_TITLE_MAX, PostService } from '../post/post.service';
import { cleanTopicNames } from '../topic/topic.service';
import { PollClosedError, PollHasVotesError } from './poll.errors';
import { PollOption } from './poll-option.entity';
import { industryGroupOf, PollParticipant, PollVote } from './poll-vote.entity';

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 20;
export const OPTION_LABEL_MAX = 200;
export const POLL_DESCRIPTION_MAX = 5_000;
const VISIBILITIES: readonly ResultsVisibility[] = ['ALWAYS', 'ON_VOTE', 'ON_CLOSE'];

export interface CreatePollData {
  title: string;
  description?: string | null;
  options: string[];
  allowsMultipleChoices?: boolean | null;
  closesAt?: Date | null;
  resultsVisibility?: ResultsVisibility | null;
  topics?: string[] | null;
}

/** editPoll's input, ids decoded: omitted or null fields stay as they are; description "" removes it. */
export interface EditPollData {
  pollId: number;
  title?: string | null;
  description?: string | null;
  topics?: string[] | null;
  options?: string[] | null;
}

/** Option labels of createPoll and editPoll: 2..20, each 1..200 characters, distinct case-insensitively ("options[2]" names the repeat). */
export function cleanOptionLabels(options: unknown, field: string): string[] {
  if (!Array.isArray(options) || options.length < MIN_OPTIONS || options.length > MAX_OPTIONS) {
    throw new BadUserInputError(field, `must hold ${MIN_OPTIONS} to ${MAX_OPTIONS} options.`);
  }
  const labels = options.map((label: unknown, index) => cleanText(label, `${field}[${index}]`, { min: 1, max: OPTION_LABEL_MAX }));
  const seen = new Map<string, number>();
  labels.forEach((label, index) => {
    const key = label.toLowerCase();
    if (seen.has(key)) throw new BadUserInputError(`${field}[${index}]`, `repeats option ${seen.get(key)}.`);
    seen.set(key, index);
  });
  return labels;
}

/** Whether a poll is removed for the viewer of a vote (moderation/reach.ts builds it from their role). */
export type RemovedFor = (poll: Post) => boolean;
const NOTHING_REMOVED: RemovedFor = () => false;

/** castVote's option ids: 1..MAX_OPTIONS, each once (optionIds[i] names a repeat). */
function distinctChoices(optionIds: readonly number[]): number[] {
  if (!Array.isArray(optionIds) || optionIds.length === 0) throw new BadUserInputError('optionIds', 'must name at least one option.');
  if (optionIds.length > MAX_OPTIONS) throw new BadUserInputError('optionIds', `must name at most ${MAX_OPTIONS} options.`);
  const chosen: number[] = [];
  optionIds.forEach((id, index) => {
    if (chosen.includes(id)) throw new BadUserInputError(`optionIds[${index}]`, 'repeats an option already chosen.');
    chosen.push(id);
  });
  return chosen;
}

export class PollService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly authoring: PostAuthoringService,
    /** Publishes breakdowns in the transaction of a vote that joins a poll (api/insights.graphql). */
    private readonly breakdowns: BreakdownPublisher,
  ) {}

  async create(viewer: Member, input: CreatePollData): Promise<Post> {
    const title = cleanText(input.title, 'title', { min: 1, max: POST_TITLE_MAX });
    const description = cleanOptionalText(input.description, 'description', { max: POLL_DESCRIPTION_MAX, multiline: true });
    const labels = cleanOptionLabels(input.options, 'options');
    const closesAt = input.closesAt ?? null;
    if (closesAt !== null && closesAt.getTime() <= Date.now()) throw new BadUserInputError('closesAt', 'must be in the future.');
    const resultsVisibility = input.resultsVisibility ?? 'ALWAYS';
    if (!VISIBILITIES.includes(resultsVisibility)) throw new BadUserInputError('resultsVisibility', 'is not a visibility.');
    const topics = cleanTopicNames(input.topics, 'topics');

    return this.db.write(async ({ manager }) => {
      const poll = await this.posts.insertPost(manager, {
        kind: 'POLL',
        title,
        body: null,
        description,
        authorId: viewer.id,
        optionLabels: labels,
        allowsMultipleChoices: input.allowsMultipleChoices ?? false,
        closesAt,
        resultsVisibility,
        topics,
      });
      await manager.getRepository(PollOption).insert(labels.map((label, position) => ({ pollId: poll.id, label, position, voteCount: 0 })));
      return poll;
    });
  }

  /**
   * Edits a poll (author only), as PostService.editThread edits a thread. The title, description and
   * topics may change at any time; the options only while the poll is open and has no votes.
   */
  async editPoll(viewer: Member, input: EditPollData): Promise<Post> {
    const title = input.title === null || input.title === undefined ? null : cleanText(input.title, 'title', { min: 1, max: POST_TITLE_MAX });
    // undefined: unchanged; null: removed ("" or blank).
    const description =
      input.description === null || input.description === undefined
        ? undefined
        : cleanOptionalText(input.description, 'description', { max: POLL_DESCRIPTION_MAX, multiline: true });
    const topics = input.topics === null || input.topics === undefined ? null : cleanTopicNames(input.topics, 'topics');
    const labels = input.options === null || input.options === undefined ? null : cleanOptionLabels(input.options, 'options');

    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const poll = await this.authoring.lockForEdit(manager, viewer, input.pollId, 'POLL');
      // The clock is read after the lock, as castVote reads it: an edit that waited past closesAt finds the poll closed.
      const now = new Date();
      const current = (await manager.getRepository(PollOption).find({ where: { pollId: poll.id }, order: { position: 'ASC' } })).map((o) => o.label);
      const optionsChanged = labels !== null && (await this.replaceOptions(manager, poll, current, labels, now, publishAfterCommit));
      const text = {
        title: title ?? poll.title,
        body: null,
        description: description === undefined ? poll.description : description,
        optionLabels: optionsChanged && labels !== null ? labels : current,
      };
      return this.authoring.applyEdit(manager, poll, { text, optionsChanged, topics, now }, publishAfterCommit);
    });
  }

  /**
   * Replaces a poll's options (new rows, new ids), raising PollResults.version by one; false when
   * the labels are the ones it has (nothing to replace). POLL_CLOSED, then POLL_HAS_VOTES, in that
   * order. The race with castVote: both hold the post's row lock while they decide, and castVote
   * reads the options only after taking it, so a vote either committed first (participantCount > 0
   * here: POLL_HAS_VOTES) or sees the new options (an old option id is NOT_FOUND): never a vote on
   * an option that no longer exists.
   */
  private async replaceOptions(
    manager: EntityManager,
    poll: Post,
    current: readonly string[],
    labels: readonly string[],
    now: Date,
    publishAfterCommit: UnitOfWork<DomainEvent>['publishAfterCommit'],
  ): Promise<boolean> {
    if (poll.isClosedAt(now)) throw new PollClosedError();
    if (poll.participantCount > 0) throw new PollHasVotesError();
    if (labels.length === current.length && labels.every((label, index) => label === current[index])) return false;
    await manager.getRepository(PollOption).delete({ pollId: poll.id });
    await manager.getRepository(PollOption).insert(labels.map((label, position) => ({ pollId: poll.id, label, position, voteCount: 0 })));
    await this.breakdowns.reset(manager, poll.id);
    // No votes to move: the version alone rises, in the transaction that changed what PollResults shows.
    const moved = await this.posts.moveResults(manager, poll, { votesDelta: 0, participantsDelta: 0, now, optionsReplaced: true });
    publishAfterCommit({ type: 'pollResultsChanged', pollId: moved.id, version: moved.resultsVersion });
    return true;
  }

  /**
   * Casts or replaces the viewer's vote. Choosing what one already chose changes nothing (same version).
   * `isRemovedForViewer` (moderation/reach.ts) is applied to the poll as read under its lock: a poll
   * removed for the viewer is NOT_FOUND before anything else is said about the input.
   */
  async castVote(viewer: Member, input: { pollId: number; optionIds: readonly number[] }, isRemovedForViewer: RemovedFor = NOTHING_REMOVED): Promise<Post> {
    let chosen: number[] = [];
    let inputError: unknown = null;
    try {
      chosen = distinctChoices(input.optionIds);
    } catch (error) {
      // Reported once the poll is read: its removal, checked there, comes first (as the API edge checked it before).
      inputError = error;
    }

    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const now = new Date();
      const poll = await this.openPoll(manager, input.pollId, (found) => {
        if (found && isRemovedForViewer(found)) throw new NotFoundError('Poll', 'pollId');
        if (inputError) throw inputError;
      });
      const { optionIds, previous } = await optionsAndChoice(manager, poll.id, viewer.id);
      if (chosen.some((id) => !optionIds.has(id))) {
        // Options of a deleted poll are gone with it: NOT_FOUND, like an unknown id.
        const elsewhere = new Set(
          (
            await manager
              .getRepository(PollOption)
              .createQueryBuilder('o')
              .select('o.id')
              .where('o.id IN (:...chosen)', { chosen })
              .andWhere(this.posts.undeletedPostSql('o.poll_id'))
              .getMany()
          ).map((o) => o.id),
        );
        chosen.forEach((id, index) => {
          const field = `optionIds[${index}]`;
          if (optionIds.has(id)) return;
          // An option of another poll exists but does not belong here; an unknown one names nothing.
          if (elsewhere.has(id)) throw new BadUserInputError(field, 'is an option of another poll.');
          throw new NotFoundError('Poll option', field);
        });
      }
      if (!poll.allowsMultipleChoices && chosen.length !== 1) {
        throw new BadUserInputError('optionIds', 'must name exactly one option: this poll is single choice.');
      }

      const removed = previous.filter((id) => !chosen.includes(id));
      const added = chosen.filter((id) => !previous.includes(id));
      if (removed.length === 0 && added.length === 0) return poll;

      let votesDelta = 0;
      for (const optionId of removed) votesDelta -= await this.removeVoteRow(manager, poll.id, viewer.id, optionId);
      for (const optionId of added) {
        const inserted = await insertIgnoringDuplicate(manager, PollVote, { pollId: poll.id, memberId: viewer.id, optionId, createdAt: now });
        if (inserted) {
          await this.adjustOptionVotes(manager, optionId, 1);
          votesDelta += 1;
        }
      }
      // The groups the vote counts in for breakdowns are the member's as they are now (kept with the vote).
      const groups = { INDUSTRY: industryGroupOf(viewer.industry), COMPANY_SIZE: viewer.companySize };
      const joined = await insertIgnoringDuplicate(manager, PollParticipant, {
        pollId: poll.id,
        memberId: viewer.id,
        votedAt: now,
        industryGroup: groups.INDUSTRY,
        companySize: groups.COMPANY_SIZE,
      });
      // Only a member who joins can bring a bucket to k new participants: a switch publishes nothing.
      if (joined) await this.breakdowns.afterJoin(manager, poll.id, viewer.id, groups);
      return this.recordChange(manager, poll, { votesDelta, participantsDelta: joined ? 1 : 0, now }, publishAfterCommit);
    });
  }

  /** Withdraws the viewer's vote; without one, the poll comes back unchanged (same version). */
  async retractVote(viewer: Member, pollId: number, isRemovedForViewer: RemovedFor = NOTHING_REMOVED): Promise<Post> {
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const now = new Date();
      const poll = await this.openPoll(manager, pollId, (found) => {
        if (found && isRemovedForViewer(found)) throw new NotFoundError('Poll', 'pollId');
      });
      const previous = await manager.getRepository(PollVote).find({ where: { pollId: poll.id, memberId: viewer.id } });
      let votesDelta = 0;
      for (const vote of previous) votesDelta -= await this.removeVoteRow(manager, poll.id, viewer.id, vote.optionId);
      await this.breakdowns.beforeLeave(manager, poll.id, viewer.id);
      const left = affectedRows(await manager.getRepository(PollParticipant).delete({ pollId: poll.id, memberId: viewer.id }));
      if (votesDelta === 0 && left === 0) return poll;
      return this.recordChange(manager, poll, { votesDelta, participantsDelta: -left, now }, publishAfterCommit);
    });
  }

  async close(viewer: Member, pollId: number): Promise<Post> {
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const now = new Date();
      const poll = await this.posts.lockAndFind(manager, pollId, 'POLL');
      if (!poll) throw new NotFoundError('Poll', 'pollId');
      if (poll.authorId !== viewer.id) throw new ForbiddenError("Only the poll's author may close it.");
      const closed = poll.isClosedAt(now) ? null : await this.posts.closePoll(manager, poll.id, now);
      if (!closed) throw new PollClosedError();
      publishAfterCommit({ type: 'pollResultsChanged', pollId: closed.id, version: closed.resultsVersion });
      // Closing changes the poll itself (Poll.isClosed): postUpdated pushes it.
      publishAfterCommit({ type: 'postChanged', postId: closed.id });
      return closed;
    });
  }

  /** The poll under its row lock, open for votes; `first` sees the row (or its absence) before any other check. */
  private async openPoll(manager: EntityManager, pollId: number, first: (poll: Post | null) => void = () => undefined): Promise<Post> {
    // One vote change per poll at a time (PostgreSQL); it reads the member's previous vote before writing.
    // The lock and the read are one statement: the lock is held one round trip less.
    const poll = await this.posts.lockAndFind(manager, pollId, 'POLL');
    first(poll);
    if (!poll) throw new NotFoundError('Poll', 'pollId');
    // A moderator's lock says more than "closed": POST_LOCKED comes first (closePoll does not come here).
    if (poll.lockedAt !== null) throw new PostLockedError();
    // Past closesAt counts as closed even before the scheduler's write lands. The clock is read
    // after the lock: a vote that waited for it past closesAt is too late.
    if (poll.isClosedAt(new Date())) throw new PollClosedError();
    return poll;
  }

  /** Deletes one vote row; returns 1 when it existed (and its option's count dropped), else 0. */
  private async removeVoteRow(manager: EntityManager, pollId: number, memberId: number, optionId: number): Promise<number> {
    const deleted = affectedRows(await manager.getRepository(PollVote).delete({ pollId, memberId, optionId }));
    if (deleted === 1) await this.adjustOptionVotes(manager, optionId, -1);
    return deleted;
  }

  private async adjustOptionVotes(manager: EntityManager, optionId: number, delta: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PollOption)
      .set({ voteCount: () => `vote_count + ${Math.trunc(delta)}` })
      .where('id = :optionId', { optionId })
      .execute();
  }

  /** Moves the poll's totals and version (one UPDATE) and announces the change after commit. */
  private async recordChange(
    manager: EntityManager,
    poll: Post,
    change: PollResultsChange,
    publishAfterCommit: (event: { type: 'pollResultsChanged'; pollId: number; version: number }) => void,
  ): Promise<Post> {
    const updated = await this.posts.moveResults(manager, poll, change);
    publishAfterCommit({ type: 'pollResultsChanged', pollId: updated.id, version: updated.resultsVersion });
    return updated;
  }
}

/**
 * The poll's option ids and those of them `memberId` has chosen, in one statement: castVote holds
 * the one SQLite writer for each statement's round trip, so one fewer is a shorter turn for every
 * vote. Every vote row is on an option of its own poll (castVote checks it, and options are
 * replaced only while nobody has voted), so joining from the options finds all of the member's.
 */
async function optionsAndChoice(manager: EntityManager, pollId: number, memberId: number): Promise<{ optionIds: Set<number>; previous: number[] }> {
  const rows: Array<{ id: number; chosen: number | null }> = await manager
    .getRepository(PollOption)
    .createQueryBuilder('o')
    .leftJoin(PollVote, 'v', 'v.pollId = o.pollId AND v.optionId = o.id AND v.memberId = :memberId', { memberId })
    .select('o.id', 'id')
    .addSelect('v.optionId', 'chosen')
    .where('o.pollId = :pollId', { pollId })
    .getRawMany();
  return {
    optionIds: new Set(rows.map((row) => Number(row.id))),
    previous: rows.filter((row) => row.chosen !== null).map((row) => Number(row.id)),
  };
}
