/**
 * The reads of polls: results (poll row and options as one moment's state),
 * options, a member's choices, and the live API's state with who of an
 * audience voted. Writes are poll.service.ts.
 */
import { In } from 'typeorm';
import type { Database } from '../../db/database';
import { plainEntity, plainRows } from '../../db/plain-rows';
import type { DomainEvent } from '../events';
import { BreakdownSource, readBreakdownSources } from '../insights/breakdown-state';
import { Post } from '../post/post.entity';
import type { PostService } from '../post/post.service';
import { PollOption } from './poll-option.entity';
import { PollParticipant } from './poll-vote.entity';

/** A poll, its options and what its breakdowns are built from, read together. */
export interface BreakdownState {
  poll: Post;
  options: PollOption[];
  source: BreakdownSource;
}

export class PollReadService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
  ) {}

  /**
   * Polls with their options, read in one statement so the totals, the version and every option's
   * count are the same moment's (a vote between two separate reads would make them disagree). One
   * statement is its own snapshot on both databases: no read transaction around it (on SQLite that
   * was BEGIN, two SELECTs and COMMIT: four statements of a thread page's recommendations, now one).
   * Plain rows (src/db/plain-rows.ts), not the query builder: this runs on every thread page.
   */
  async resultsState(pollIds: readonly number[]): Promise<Map<number, { poll: Post; options: PollOption[] }>> {
    const rows = await this.db.read(async (manager) => {
      const [polls, options] = [plainEntity(manager, Post).as('p'), plainEntity(manager, PollOption).as('o')];
      const found = await plainRows(
        manager,
        `SELECT ${polls.columns}, ${options.columns} FROM posts p LEFT JOIN poll_options o ON o.poll_id = p.id ` +
          "WHERE p.id IN (:...pollIds) AND p.kind = 'POLL' AND p.deleted_at IS NULL ORDER BY p.id, o.position, o.id",
        { pollIds: [...pollIds] },
      );
      return { found, polls, options };
    });
    const result = new Map<number, { poll: Post; options: PollOption[] }>();
    for (const row of rows.found) {
      const pollId = Number(row.p_id);
      let state = result.get(pollId);
      if (!state) result.set(pollId, (state = { poll: rows.polls.hydrate(row), options: [] }));
      if (rows.options.present(row)) state.options.push(rows.options.hydrate(row));
    }
    return result;
  }

  /**
   * Polls with their options and what their breakdowns are built from (published buckets while
   * open, final votes once closed), as one moment's state; `now` decides which polls are closed.
   */
  async breakdownStates(pollIds: readonly number[], now: Date): Promise<Map<number, BreakdownState>> {
    return this.db.snapshot(async (manager) => {
      const polls = await this.posts.findAllOfKind(manager, pollIds, 'POLL');
      if (polls.length === 0) return new Map();
      const options = await manager.getRepository(PollOption).find({ where: { pollId: In(polls.map((poll) => poll.id)) }, order: { position: 'ASC' } });
      const sources = await readBreakdownSources(manager, polls, now);
      const result = new Map(polls.map((poll) => [poll.id, { poll, options: [] as PollOption[], source: sources.get(poll.id)! }]));
      for (const option of options) result.get(option.pollId)?.options.push(option);
      return result;
    });
  }

  /** One poll's breakdown state and which of `memberIds` have a vote, as one moment's state (for the live API). */
  liveBreakdownState(pollId: number, memberIds: readonly number[], now: Date): Promise<(BreakdownState & { voters: Set<number> }) | null> {
    return this.db.snapshot(async (manager) => {
      const poll = await this.posts.findOfKind(manager, pollId, 'POLL');
      if (!poll) return null;
      const options = await manager.getRepository(PollOption).find({ where: { pollId }, order: { position: 'ASC' } });
      const source = (await readBreakdownSources(manager, [poll], now)).get(poll.id)!;
      const voters =
        memberIds.length === 0
          ? []
          : await manager.getRepository(PollParticipant).find({ where: { pollId, memberId: In([...memberIds]) }, select: { memberId: true } });
      return { poll, options, source, voters: new Set(voters.map((row) => row.memberId)) };
    });
  }

  /** One poll's row, options and which of `memberIds` have a vote, as one moment's state (for the live API). */
  liveState(pollId: number, memberIds: readonly number[]): Promise<{ poll: Post; options: PollOption[]; voters: Set<number> } | null> {
    return this.db.snapshot(async (manager) => {
      const poll = await this.posts.findOfKind(manager, pollId, 'POLL');
      if (!poll) return null;
      const options = await manager.getRepository(PollOption).find({ where: { pollId }, order: { position: 'ASC' } });
      const voters =
        memberIds.length === 0
          ? []
          : await manager.getRepository(PollParticipant).find({ where: { pollId, memberId: In([...memberIds]) }, select: { memberId: true } });
      return { poll, options, voters: new Set(voters.map((row) => row.memberId)) };
    });
  }

  /** Options of many polls, in position order. */
  async optionsOfPolls(pollIds: readonly number[]): Promise<Map<number, PollOption[]>> {
    const options = await this.db.read((manager) =>
      manager.getRepository(PollOption).find({ where: { pollId: In([...pollIds]) }, order: { position: 'ASC' } }),
    );
    const result = new Map<number, PollOption[]>(pollIds.map((id) => [id, []]));
    for (const option of options) result.get(option.pollId)?.push(option);
    return result;
  }

  /** Options by id; those of a deleted poll are gone with it (node(id) of them is null). */
  findOptionsByIds(ids: readonly number[]): Promise<PollOption[]> {
    return this.db.read((manager) =>
      manager
        .getRepository(PollOption)
        .createQueryBuilder('o')
        .where('o.id IN (:...ids)', { ids: [...ids] })
        .andWhere(this.posts.undeletedPostSql('o.poll_id'))
        .getMany(),
    );
  }

  /** The option ids one member chose in many polls. */
  async choicesOf(memberId: number, pollIds: readonly number[]): Promise<Map<number, number[]>> {
    // Plain SQL (src/db/plain-rows.ts): every thread page with a poll among its recommendations asks this.
    const votes = await this.db.read((manager) =>
      plainRows(
        manager,
        'SELECT v.poll_id AS poll_id, v.option_id AS option_id FROM poll_votes v WHERE v.member_id = :memberId AND v.poll_id IN (:...pollIds)',
        {
          memberId,
          pollIds: [...pollIds],
        },
      ),
    );
    const result = new Map<number, number[]>(pollIds.map((id) => [id, []]));
    for (const vote of votes) result.get(Number(vote.poll_id))?.push(Number(vote.option_id));
    return result;
  }
}
