/**
 * Loads the demo community (demo-community.ts) into an empty, migrated
 * database, inside the caller's transaction.
 *
 * Everything is planned in memory first, so every counter is computed from
 * the very rows that are inserted (upvote_count = its upvotes rows,
 * comment_count = its comments, vote_count = its poll_votes rows, ...): the
 * server's invariants hold from the first request on. Rows go in with
 * multi-row INSERTs of CHUNK_SIZE rows (a few dozen statements in all); ids
 * are read back per table rather than assumed, because PostgreSQL ignores
 * explicit values for generated ids in TypeORM's insert builder.
 *
 * Timestamps are relative to `now`, so the demo always looks a few hours to a
 * few weeks old. Only DEMO_ACCOUNT can sign in: it gets the one password
 * hash computed here; every other member has no e-mail and no password.
 */
import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Comment } from '../modules/comment/comment.entity';
import { Revision } from '../modules/revision/revision.entity';
import { Member } from '../modules/member/member.entity';
import { hashPassword } from '../modules/member/password';
import { PollOption } from '../modules/poll/poll-option.entity';
import { BreakdownPublisher } from '../modules/insights/breakdown-publisher';
import { industryGroupOf, PollParticipant, PollVote } from '../modules/poll/poll-vote.entity';
import { Post } from '../modules/post/post.entity';
import { buildSearchText } from '../modules/post/search-text';
import { PostTopic, Topic } from '../modules/topic/topic.entity';
import { Upvote } from '../modules/upvote/upvote.entity';
import { DEMO_MEMBER_KEY, DemoComment, DemoPoll, DemoPost, Random, buildDemoContent, mulberry32, pickWeighted, sample, seedFrom } from './demo-community';

export { DEMO_FIGURES } from './demo-community';

/** The one demo member who can sign in. */
export const DEMO_ACCOUNT = { email: 'demo@peer-community.example', password: 'demo-password-2026' } as const;

/** Rows per INSERT: posts have 20 columns, so 200 rows stay far below SQLite's bound-variable limit. */
const CHUNK_SIZE = 200;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------
// The plan: every row, with references by content index, before any SQL
// ---------------------------------------------------------------------------

interface PlannedComment {
  seq: number;
  /** seq of the top-level comment it replies to. */
  parentSeq: number | null;
  author: number;
  body: string;
  createdAt: number;
  editedAt: number | null;
  /** The text before that edit (revision 1), when edited. */
  bodyBeforeEdit: string | null;
  upvoters: { member: number; at: number }[];
  replyCount: number;
}

interface PlannedVote {
  member: number;
  options: number[];
  at: number;
}

interface PlannedPost {
  post: DemoPost;
  author: number;
  createdAt: number;
  upvoters: { member: number; at: number }[];
  comments: PlannedComment[];
  votes: PlannedVote[];
  optionVoteCounts: number[];
  closesAt: number | null;
  isClosed: boolean;
}

/** Times in (start, end), front-loaded like real activity (most of it soon after posting). */
function skewedTime(random: Random, start: number, end: number): number {
  const u = random();
  return start + Math.floor(u * u * (end - start));
}

function planComments(post: DemoPost, createdAt: number, now: number, memberIndex: (key: string) => number, allMembers: readonly number[]): PlannedComment[] {
  const random = mulberry32(seedFrom(`comments:${post.title}`));
  const start = createdAt + 6 * MINUTE;
  const end = now - 2 * MINUTE;
  const times = post.comments.map(() => skewedTime(random, start, end)).sort((a, b) => a - b);
  // Strictly increasing, so created_at order and seq order are the same order.
  for (let i = 1; i < times.length; i++) times[i] = Math.max(times[i], times[i - 1] + 1000);
  if (times.length > 0 && times[times.length - 1] >= now) throw new Error(`demo content: too many comments for the age of "${post.title}"`);

  const seqByKey = new Map<string, number>();
  const planned: PlannedComment[] = [];
  post.comments.forEach((comment: DemoComment, i) => {
    const seq = i + 1;
    let parentSeq: number | null = null;
    if (comment.replyTo !== undefined) {
      const target = seqByKey.get(comment.replyTo);
      // One level deep: a reply's parent is an earlier top-level comment.
      if (target === undefined || planned[target - 1].parentSeq !== null) {
        throw new Error(`demo content: "${comment.replyTo}" is not an earlier top-level comment of "${post.title}"`);
      }
      parentSeq = target;
    }
    if (comment.key !== undefined) seqByKey.set(comment.key, seq);
    const author = memberIndex(comment.author);
    const at = times[i];
    const upvoters = sample(
      random,
      allMembers.filter((m) => m !== author),
      comment.upvotes ?? 0,
    ).map((member) => ({ member, at: skewedTime(random, at + 1000, now - 1000) }));
    const editedAt = comment.editedAfterMinutes === undefined ? null : Math.max(at + 1000, Math.min(at + comment.editedAfterMinutes * MINUTE, now - 1000));
    planned.push({
      seq,
      parentSeq,
      author,
      body: comment.body,
      createdAt: at,
      editedAt,
      bodyBeforeEdit: comment.bodyBeforeEdit ?? null,
      upvoters,
      replyCount: 0,
    });
  });
  for (const comment of planned) if (comment.parentSeq !== null) planned[comment.parentSeq - 1].replyCount++;
  return planned;
}

function planVotes(poll: DemoPoll, createdAt: number, end: number, author: number, demo: number, allMembers: readonly number[]): PlannedVote[] {
  const random = mulberry32(seedFrom(`votes:${poll.title}`));
  // Never the author; the demo account only where the content says it voted.
  const others = allMembers.filter((m) => m !== author && m !== demo);
  const eligible = sample(random, others, others.length);
  const choices: number[][] = [];
  if (poll.demoChoices) choices.push(poll.demoChoices);

  if (!poll.allowsMultipleChoices) {
    // Exactly `votes` members per option: deal the remaining ballots in random order.
    const remaining = poll.options.map((option) => option.votes ?? 0);
    if (poll.demoChoices) {
      if (poll.demoChoices.length !== 1 || remaining[poll.demoChoices[0]] < 1) throw new Error(`demo content: bad demoChoices in "${poll.title}"`);
      remaining[poll.demoChoices[0]]--;
    }
    const ballots = remaining.flatMap((count, option) => Array.from({ length: count }, () => option));
    for (const option of sample(random, ballots, ballots.length)) choices.push([option]);
  } else {
    const participants = poll.participants ?? 0;
    const maxChoices = poll.maxChoices ?? poll.options.length;
    const weighted = poll.options.map((option, index) => [index, option.weight ?? 1] as const);
    while (choices.length < participants) {
      const wanted = Math.min(
        maxChoices,
        pickWeighted(random, [
          [1, 45],
          [2, 35],
          [3, 20],
        ] as const),
      );
      const first = pickWeighted(random, weighted);
      if (poll.options[first].exclusive) {
        choices.push([first]);
        continue;
      }
      const picked = [first];
      while (picked.length < wanted) {
        const pool = weighted.filter(([index]) => !picked.includes(index) && !poll.options[index].exclusive);
        if (pool.length === 0) break;
        picked.push(pickWeighted(random, pool));
      }
      choices.push(picked.sort((a, b) => a - b));
    }
  }

  const voters = poll.demoChoices ? [demo, ...eligible] : eligible;
  if (choices.length > voters.length) throw new Error(`demo content: not enough members to vote in "${poll.title}"`);
  return choices.map((options, i) => ({ member: voters[i], options, at: skewedTime(random, createdAt + 2 * MINUTE, end - 1000) }));
}

function planCommunity(now: number) {
  const content = buildDemoContent();
  const indexByKey = new Map(content.members.map((member, index) => [member.key, index]));
  const memberIndex = (key: string): number => {
    const index = indexByKey.get(key);
    if (index === undefined) throw new Error(`demo content: unknown member "${key}"`);
    return index;
  };
  const allMembers = content.members.map((_, index) => index);
  const demo = memberIndex(DEMO_MEMBER_KEY);
  const titles = new Set(content.posts.map((post) => post.title));
  if (titles.size !== content.posts.length) throw new Error('demo content: post titles must be distinct');

  const random = mulberry32(seedFrom('members:joined'));
  const memberJoinedAt = content.members.map((member) => now - member.joinedDaysAgo * DAY - Math.floor(random() * 20 * HOUR));

  const posts: PlannedPost[] = content.posts.map((post) => {
    const postRandom = mulberry32(seedFrom(`post:${post.title}`));
    const createdAt = now - post.ageHours * HOUR - Math.floor(postRandom() * 40 * MINUTE);
    const author = memberIndex(post.author);
    if (post.topics.length < 1 || post.topics.length > 4) throw new Error(`demo content: "${post.title}" needs 1 to 4 topics`);
    const upvoters = sample(
      postRandom,
      allMembers.filter((m) => m !== author),
      post.upvotes,
    ).map((member) => ({ member, at: skewedTime(postRandom, createdAt + MINUTE, now - 1000) }));
    const comments = planComments(post, createdAt, now, memberIndex, allMembers);

    let votes: PlannedVote[] = [];
    let closesAt: number | null = null;
    let isClosed = false;
    const optionVoteCounts: number[] = [];
    if (post.kind === 'POLL') {
      closesAt = post.closesInHours === null ? null : now + post.closesInHours * HOUR;
      isClosed = closesAt !== null && closesAt <= now;
      votes = planVotes(post, createdAt, isClosed ? (closesAt as number) : now, author, demo, allMembers);
      for (let i = 0; i < post.options.length; i++) optionVoteCounts.push(0);
      for (const vote of votes) for (const option of vote.options) optionVoteCounts[option]++;
    }
    return { post, author, createdAt, upvoters, comments, votes, optionVoteCounts, closesAt, isClosed };
  });
  return { content, memberJoinedAt, demo, posts };
}

// ---------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------

async function insertInChunks<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: QueryDeepPartialEntity<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_SIZE) {
    // updateEntity(false): no read-back of generated columns per statement; ids are read once per table.
    await manager
      .createQueryBuilder()
      .insert()
      .into(target)
      .values(rows.slice(i, i + CHUNK_SIZE))
      .updateEntity(false)
      .execute();
  }
}

type Plan = ReturnType<typeof planCommunity>;

/** Ids read back per table (PostgreSQL ignores explicit ids in TypeORM's insert builder). */
interface Ids {
  member(index: number): number;
  /** Database id of each planned post, by its index in plan.posts. */
  posts: number[];
}

/** Loads the demo community. Call it once, inside a transaction, on an empty migrated database. One step per table. */
/** `minGroupSize`: k of poll breakdowns (INSIGHTS_MIN_GROUP_SIZE), for what the open polls have published. */
export async function loadDemoCommunity(manager: EntityManager, now: Date, minGroupSize = 5): Promise<void> {
  const plan = planCommunity(now.getTime());
  const member = await insertMembers(manager, plan);
  const topicIdByName = await insertTopics(manager, plan);
  const ids: Ids = { member, posts: await insertPosts(manager, plan, member) };
  await insertInChunks(
    manager,
    PostTopic,
    plan.posts.flatMap((planned, i) => planned.post.topics.map((name) => ({ postId: ids.posts[i], topicId: topicIdByName.get(name) as number }))),
  );
  await insertPollsVotes(manager, plan, ids);
  await publishOpenBreakdowns(manager, plan, ids, minGroupSize);
  const commentIds = await insertComments(manager, plan, ids);
  await insertUpvotes(manager, plan, ids, commentIds);
  await insertFirstRevisions(manager);
  await insertCommentEdits(manager, plan, ids, commentIds);
}

/**
 * The open demo polls' breakdowns as the rules leave them once the votes are in: their votes were
 * inserted at once, so every participant is new to `other`, and one pass of the publication rules
 * shows the groups of k or more and publishes `other` (closed polls need nothing: their breakdown
 * comes from the final votes).
 */
async function publishOpenBreakdowns(manager: EntityManager, plan: Plan, ids: Ids, minGroupSize: number): Promise<void> {
  const publisher = new BreakdownPublisher(minGroupSize);
  for (const [i, planned] of plan.posts.entries()) {
    if (planned.post.kind === 'POLL' && !planned.isClosed && planned.votes.length > 0) await publisher.publishDue(manager, ids.posts[i]);
  }
}

/** An edited demo comment has two versions, as editComment would have left it: the text before, then its text at editedAt. */
async function insertCommentEdits(manager: EntityManager, plan: Plan, ids: Ids, commentIds: Map<string, number>): Promise<void> {
  const edited = plan.posts.flatMap((planned, i) =>
    planned.comments.filter((c) => c.editedAt !== null).map((c) => ({ comment: c, id: commentIds.get(`${ids.posts[i]}:${c.seq}`) as number })),
  );
  for (const { comment, id } of edited) {
    if (comment.bodyBeforeEdit !== null) {
      await manager.getRepository(Revision).update({ subjectType: 'COMMENT', subjectId: id, number: 1 }, { body: comment.bodyBeforeEdit });
    }
  }
  await insertInChunks(
    manager,
    Revision,
    edited.map(({ comment, id }) => ({
      subjectType: 'COMMENT' as const,
      subjectId: id,
      number: 2,
      editorId: ids.member(comment.author),
      createdAt: new Date(comment.editedAt as number),
      title: null,
      body: comment.body,
      optionLabels: null,
    })),
  );
}

/** Version 1 of every post and comment (what createThread, createPoll and addComment write with the content). */
async function insertFirstRevisions(manager: EntityManager): Promise<void> {
  const optionLabelsJson =
    manager.connection.options.type === 'postgres'
      ? `(SELECT json_agg(o.label ORDER BY o.position)::text FROM poll_options o WHERE o.poll_id = p.id)`
      : `(SELECT json_group_array(label) FROM (SELECT o.label FROM poll_options o WHERE o.poll_id = p.id ORDER BY o.position))`;
  const columns = 'subject_type, subject_id, number, editor_id, created_at, title, body, option_labels';
  await manager.query(
    `INSERT INTO revisions (${columns}) SELECT 'POST', p.id, 1, p.author_id, p.created_at, p.title, COALESCE(p.body, p.description), ` +
      `CASE WHEN p.kind = 'POLL' THEN ${optionLabelsJson} END FROM posts p`,
  );
  await manager.query(`INSERT INTO revisions (${columns}) SELECT 'COMMENT', c.id, 1, c.author_id, c.created_at, NULL, c.body, NULL FROM comments c`);
}

/** Members: only the demo account gets an e-mail and a (single) password hash. */
async function insertMembers(manager: EntityManager, plan: Plan): Promise<(index: number) => number> {
  const demoPasswordHash = await hashPassword(DEMO_ACCOUNT.password);
  await insertInChunks(
    manager,
    Member,
    plan.content.members.map((member, index) => ({
      email: index === plan.demo ? DEMO_ACCOUNT.email : null,
      passwordHash: index === plan.demo ? demoPasswordHash : null,
      title: member.title,
      industry: member.industry,
      companySize: member.companySize,
      joinedAt: new Date(plan.memberJoinedAt[index]),
    })),
  );
  const memberIds = (await manager.createQueryBuilder(Member, 'm').select('m.id', 'id').orderBy('m.id', 'ASC').getRawMany<{ id: number }>()).map((row) =>
    Number(row.id),
  );
  if (memberIds.length !== plan.content.members.length) throw new Error('loadDemoCommunity needs an empty database (members table was not empty)');
  return (index: number): number => memberIds[index];
}

/** Topics, with post_count = their post_topics rows; returns topic ids by name. */
async function insertTopics(manager: EntityManager, plan: Plan): Promise<Map<string, number>> {
  const postCountBySlug = new Map<string, number>();
  const slugOf = new Map(plan.content.topics.map((topic) => [topic.name, topic.slug]));
  for (const { post } of plan.posts) {
    for (const name of post.topics) {
      const slug = slugOf.get(name);
      if (slug === undefined) throw new Error(`demo content: unknown topic "${name}"`);
      postCountBySlug.set(slug, (postCountBySlug.get(slug) ?? 0) + 1);
    }
  }
  await insertInChunks(
    manager,
    Topic,
    plan.content.topics.map((topic) => ({ slug: topic.slug, name: topic.name, postCount: postCountBySlug.get(topic.slug) ?? 0 })),
  );
  const topicIdBySlug = new Map(
    (await manager.createQueryBuilder(Topic, 't').select('t.id', 'id').addSelect('t.slug', 'slug').getRawMany<{ id: number; slug: string }>()).map((row) => [
      row.slug,
      Number(row.id),
    ]),
  );
  return new Map([...slugOf].map(([name, slug]) => [name, topicIdBySlug.get(slug) as number]));
}

/** Posts, with every counter taken from the planned rows; returns their ids in plan order. */
async function insertPosts(manager: EntityManager, plan: Plan, memberId: (index: number) => number): Promise<number[]> {
  await insertInChunks(
    manager,
    Post,
    plan.posts.map((planned) => {
      const { post } = planned;
      const lastVoteAt = planned.votes.reduce((latest, vote) => Math.max(latest, vote.at), 0);
      // One version per vote, plus one for closing.
      const resultsVersion = planned.votes.length + (planned.isClosed ? 1 : 0);
      const resultsUpdatedAt = new Date(planned.isClosed ? (planned.closesAt as number) : planned.votes.length > 0 ? lastVoteAt : planned.createdAt);
      const isPoll = post.kind === 'POLL';
      return {
        kind: post.kind,
        title: post.title,
        body: isPoll ? null : post.body,
        description: isPoll ? post.description : null,
        authorId: memberId(planned.author),
        createdAt: new Date(planned.createdAt),
        viewCount: post.viewCount,
        upvoteCount: planned.upvoters.length,
        commentCount: planned.comments.length,
        commentSeq: planned.comments.length,
        searchText: isPoll
          ? buildSearchText({ title: post.title, description: post.description, optionLabels: post.options.map((option) => option.label) })
          : buildSearchText({ title: post.title, body: post.body }),
        allowsMultipleChoices: isPoll ? post.allowsMultipleChoices : false,
        closesAt: planned.closesAt === null ? null : new Date(planned.closesAt),
        isClosed: planned.isClosed,
        resultsVisibility: isPoll ? post.resultsVisibility : 'ALWAYS',
        participantCount: planned.votes.length,
        totalVotes: planned.optionVoteCounts.reduce((sum, count) => sum + count, 0),
        resultsVersion,
        resultsUpdatedAt,
        // Every planned vote is a member joining (no switches), so a viewer who may not see the
        // tallies gets the same version and time (PollResults.hiddenUntil).
        hiddenResultsVersion: resultsVersion,
        participationChangedAt: resultsUpdatedAt,
        // PollResultsBreakdown.version: 1 at creation, then one per join and one for the close.
        breakdownVersion: 1 + resultsVersion,
      };
    }),
  );
  const postIdByTitle = new Map(
    (await manager.createQueryBuilder(Post, 'p').select('p.id', 'id').addSelect('p.title', 'title').getRawMany<{ id: number; title: string }>()).map((row) => [
      row.title,
      Number(row.id),
    ]),
  );
  return plan.posts.map((planned) => postIdByTitle.get(planned.post.title) as number);
}

/** Poll options (vote_count = their votes), votes and participants. */
async function insertPollsVotes(manager: EntityManager, plan: Plan, ids: Ids): Promise<void> {
  await insertInChunks(
    manager,
    PollOption,
    plan.posts.flatMap((planned, i) =>
      planned.post.kind === 'POLL'
        ? planned.post.options.map((option, position) => ({
            pollId: ids.posts[i],
            label: option.label,
            position,
            voteCount: planned.optionVoteCounts[position],
          }))
        : [],
    ),
  );
  const optionIds = new Map(
    (
      await manager
        .createQueryBuilder(PollOption, 'o')
        .select('o.id', 'id')
        .addSelect('o.poll_id', 'pollId')
        .addSelect('o.position', 'position')
        .getRawMany<{ id: number; pollId: number; position: number }>()
    ).map((row) => [`${Number(row.pollId)}:${Number(row.position)}`, Number(row.id)]),
  );
  await insertInChunks(
    manager,
    PollVote,
    plan.posts.flatMap((planned, i) =>
      planned.votes.flatMap((vote) =>
        vote.options.map((position) => ({
          pollId: ids.posts[i],
          memberId: ids.member(vote.member),
          optionId: optionIds.get(`${ids.posts[i]}:${position}`) as number,
          createdAt: new Date(vote.at),
        })),
      ),
    ),
  );
  await insertInChunks(
    manager,
    PollParticipant,
    plan.posts.flatMap((planned, i) =>
      planned.votes.map((vote) => {
        // The voter's groups for breakdowns, as castVote keeps them.
        const voter = plan.content.members[vote.member];
        return {
          pollId: ids.posts[i],
          memberId: ids.member(vote.member),
          votedAt: new Date(vote.at),
          industryGroup: industryGroupOf(voter.industry),
          companySize: voter.companySize,
        };
      }),
    ),
  );
}

/** Comments: top-level first, then replies (they need their parent's id); returns ids by "postId:seq". */
async function insertComments(manager: EntityManager, plan: Plan, ids: Ids): Promise<Map<string, number>> {
  const commentRow = (postIndex: number, comment: PlannedComment, parentId: number | null): QueryDeepPartialEntity<Comment> => ({
    postId: ids.posts[postIndex],
    parentId,
    authorId: ids.member(comment.author),
    body: comment.body,
    seq: comment.seq,
    createdAt: new Date(comment.createdAt),
    editedAt: comment.editedAt === null ? null : new Date(comment.editedAt),
    deletedAt: null,
    upvoteCount: comment.upvoters.length,
    replyCount: comment.replyCount,
  });
  const readCommentIds = async (): Promise<Map<string, number>> =>
    new Map(
      (
        await manager
          .createQueryBuilder(Comment, 'c')
          .select('c.id', 'id')
          .addSelect('c.post_id', 'postId')
          .addSelect('c.seq', 'seq')
          .getRawMany<{ id: number; postId: number; seq: number }>()
      ).map((row) => [`${Number(row.postId)}:${Number(row.seq)}`, Number(row.id)]),
    );

  await insertInChunks(
    manager,
    Comment,
    plan.posts.flatMap((planned, i) => planned.comments.filter((c) => c.parentSeq === null).map((c) => commentRow(i, c, null))),
  );
  const topLevelIds = await readCommentIds();
  await insertInChunks(
    manager,
    Comment,
    plan.posts.flatMap((planned, i) =>
      planned.comments.filter((c) => c.parentSeq !== null).map((c) => commentRow(i, c, topLevelIds.get(`${ids.posts[i]}:${c.parentSeq}`) as number)),
    ),
  );
  return readCommentIds();
}

/** Upvotes of posts and comments (upvote_count = these rows). */
async function insertUpvotes(manager: EntityManager, plan: Plan, ids: Ids, commentIds: Map<string, number>): Promise<void> {
  await insertInChunks(
    manager,
    Upvote,
    plan.posts.flatMap((planned, i) => [
      ...planned.upvoters.map((upvote) => ({
        memberId: ids.member(upvote.member),
        subjectType: 'POST' as const,
        subjectId: ids.posts[i],
        createdAt: new Date(upvote.at),
      })),
      ...planned.comments.flatMap((comment) =>
        comment.upvoters.map((upvote) => ({
          memberId: ids.member(upvote.member),
          subjectType: 'COMMENT' as const,
          subjectId: commentIds.get(`${ids.posts[i]}:${comment.seq}`) as number,
          createdAt: new Date(upvote.at),
        })),
      ),
    ]),
  );
}
