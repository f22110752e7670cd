/**
 * The demo community loads fast into a fresh SQLite database, shows the
 * figures of DOMAIN.md, and every stored counter equals a COUNT over the rows
 * it counts (the server relies on that from its first request on).
 */
import { DataSource } from 'typeorm';
import { createDataSource } from '../db/data-source';
import { MIGRATIONS } from '../db/migrations';
import { ENTITIES } from '../modules/entities';
import { CompanySize, formatByline } from '../modules/member/company-size';
import { verifyPassword } from '../modules/member/password';
import { buildSearchText } from '../modules/post/search-text';
import { DEMO_ACCOUNT, DEMO_FIGURES, loadDemoCommunity } from './load-demo';

type Row = Record<string, any>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function freshDatabase(): Promise<DataSource> {
  const ds = createDataSource({ type: 'sqlite', path: ':memory:' }, { entities: ENTITIES, migrations: MIGRATIONS });
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}

/** Largest-remainder percentages; leftover points go to larger remainders, then more votes, then the lower position. */
function percentages(votes: number[]): number[] {
  const total = votes.reduce((a, b) => a + b, 0);
  if (total === 0) return votes.map(() => 0);
  const shares = votes.map((v, position) => ({ position, v, floor: Math.floor((v * 100) / total), rest: (v * 100) % total }));
  let left = 100 - shares.reduce((sum, s) => sum + s.floor, 0);
  const order = [...shares].sort((a, b) => b.rest - a.rest || b.v - a.v || a.position - b.position);
  const result = shares.map((s) => s.floor);
  for (const s of order) {
    if (left-- <= 0) break;
    result[s.position]++;
  }
  return result;
}

describe('demo community', () => {
  let ds: DataSource;
  let now: Date;
  let loadMs: number;
  const q = (sql: string, params: unknown[] = []): Promise<Row[]> => ds.query(sql, params);
  const one = async (sql: string, params: unknown[] = []): Promise<Row> => (await q(sql, params))[0];
  const postByTitle = (title: string): Promise<Row> => one('SELECT * FROM posts WHERE title = ?', [title]);
  const bylinesOf = async (sql: string, params: unknown[]): Promise<string[]> =>
    (await q(sql, params)).map((m) => formatByline(m.title, m.industry, m.company_size as CompanySize));

  beforeAll(async () => {
    ds = await freshDatabase();
    now = new Date();
    const started = performance.now();
    await ds.transaction((manager) => loadDemoCommunity(manager, now));
    loadMs = performance.now() - started;
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
  });

  it('loads in well under two seconds', () => {
    expect(loadMs).toBeLessThan(2000);
  });

  describe('members', () => {
    it('has about 240 anonymous members and one demo account that can sign in', async () => {
      const { n } = await one('SELECT COUNT(*) AS n FROM members');
      expect(n).toBeGreaterThanOrEqual(230);
      expect(n).toBeLessThanOrEqual(260);
      const withCredentials = await q('SELECT * FROM members WHERE email IS NOT NULL OR password_hash IS NOT NULL');
      expect(withCredentials).toHaveLength(1);
      const [demo] = withCredentials;
      expect(demo.email).toBe(DEMO_ACCOUNT.email);
      expect(await verifyPassword(DEMO_ACCOUNT.password, demo.password_hash)).toBe(true);
      expect(formatByline(demo.title, demo.industry, demo.company_size)).toBe('VP of Engineering in Software, 501 - 1,000 employees');
    });

    it('uses valid size bands, the DOMAIN bylines, and joined before any activity', async () => {
      const members = await q('SELECT * FROM members');
      const sizes = new Set<string>(Object.values(CompanySize));
      for (const m of members) {
        expect(sizes.has(m.company_size)).toBe(true);
        expect(m.joined_at).toBeLessThan(now.getTime() - 30 * DAY);
      }
      const bylines = new Set(members.map((m) => formatByline(m.title, m.industry, m.company_size)));
      for (const byline of [
        'Director of IT in Software, 201 - 500 employees',
        'Chief Data Officer in Media, 2 - 10 employees',
        'CSO, Self-employed',
        'Senior Executive Advisor in Software, 10,001+ employees',
      ]) {
        expect(bylines.has(byline)).toBe(true);
      }
      const industries = new Set(members.map((m) => m.industry));
      for (const industry of ['Software', 'Banking', 'Healthcare and Biotech', 'Media', 'Consumer Goods', 'Services (non-Government)']) {
        expect(industries.has(industry)).toBe(true);
      }
      const early = await q(`
        SELECT m.id FROM members m WHERE m.joined_at >= MIN(
          COALESCE((SELECT MIN(created_at) FROM posts WHERE author_id = m.id), 9e15),
          COALESCE((SELECT MIN(created_at) FROM comments WHERE author_id = m.id), 9e15),
          COALESCE((SELECT MIN(created_at) FROM upvotes WHERE member_id = m.id), 9e15),
          COALESCE((SELECT MIN(created_at) FROM poll_votes WHERE member_id = m.id), 9e15))`);
      expect(early).toEqual([]);
    });
  });

  describe('the figures of DOMAIN.md', () => {
    it('the discussion thread: 463 views, 3 upvotes, 15 comments with replies, bylines and comment upvotes', async () => {
      const post = await postByTitle(DEMO_FIGURES.discussionThreadTitle);
      expect(post).toMatchObject({ kind: 'THREAD', view_count: 463, upvote_count: 3, comment_count: 15, description: null });
      expect(post.body.length).toBeGreaterThan(0);
      const comments = await q('SELECT * FROM comments WHERE post_id = ? ORDER BY seq', [post.id]);
      expect(comments).toHaveLength(15);
      expect(comments.filter((c) => c.parent_id !== null).length).toBeGreaterThanOrEqual(2);
      expect(
        comments
          .map((c) => c.upvote_count)
          .sort((a, b) => b - a)
          .slice(0, 3),
      ).toEqual([3, 1, 0]);
      expect(comments.some((c) => c.body.includes('\n\n'))).toBe(true);
      expect(comments.some((c) => !c.body.includes('\n'))).toBe(true);
      const bylines = await bylinesOf('SELECT m.* FROM comments c JOIN members m ON m.id = c.author_id WHERE c.post_id = ?', [post.id]);
      expect(bylines).toEqual(
        expect.arrayContaining([
          'Director of IT in Software, 201 - 500 employees',
          'Chief Data Officer in Media, 2 - 10 employees',
          'CSO, Self-employed',
          'Senior Executive Advisor in Software, 10,001+ employees',
        ]),
      );
    });

    it('the return-to-office poll: six options, 85/65/26/20/2/5 votes = 42/32/13/10/1/2 %, 203 participants, 1k views, 1 comment', async () => {
      const poll = await postByTitle(DEMO_FIGURES.rtoPollTitle);
      expect(poll).toMatchObject({
        kind: 'POLL',
        body: null,
        view_count: 1000,
        comment_count: 1,
        participant_count: 203,
        total_votes: 203,
        allows_multiple_choices: 0,
        is_closed: 0,
        closes_at: null,
        results_visibility: 'ALWAYS',
      });
      const votes = (await q('SELECT vote_count FROM poll_options WHERE poll_id = ? ORDER BY position', [poll.id])).map((o) => o.vote_count);
      expect(votes).toEqual([85, 65, 26, 20, 2, 5]);
      expect(percentages(votes)).toEqual([42, 32, 13, 10, 1, 2]);
      expect(await one('SELECT COUNT(DISTINCT member_id) AS n FROM poll_votes WHERE poll_id = ?', [poll.id])).toEqual({ n: 203 });
    });

    it('the popular thread: 41k views, 131 upvotes by 131 members, 319 comments from many members', async () => {
      const post = await postByTitle(DEMO_FIGURES.popularThreadTitle);
      expect(post).toMatchObject({ kind: 'THREAD', upvote_count: 131, comment_count: 319 });
      expect(post.view_count).toBeGreaterThanOrEqual(41000);
      expect(post.view_count).toBeLessThan(42000);
      expect(await one(`SELECT COUNT(DISTINCT member_id) AS n FROM upvotes WHERE subject_type = 'POST' AND subject_id = ?`, [post.id])).toEqual({ n: 131 });
      const stats = await one(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT author_id) AS authors, COUNT(parent_id) AS replies, COUNT(DISTINCT body) AS bodies FROM comments WHERE post_id = ?',
        [post.id],
      );
      expect(stats.n).toBe(319);
      expect(stats.bodies).toBe(319);
      expect(stats.authors).toBeGreaterThanOrEqual(100);
      expect(stats.replies).toBeGreaterThan(20);
    });
  });

  describe('the rest of the community', () => {
    it('has more threads and polls: a multiple-choice poll, a hidden-results poll, a closed poll', async () => {
      const titles = Object.values(DEMO_FIGURES) as string[];
      const others = await q(`SELECT * FROM posts WHERE title NOT IN (?, ?, ?)`, titles);
      expect(others.filter((p) => p.kind === 'THREAD').length).toBeGreaterThanOrEqual(5);
      const polls = others.filter((p) => p.kind === 'POLL');
      expect(polls.length).toBeGreaterThanOrEqual(3);

      const multi = polls.filter((p) => p.allows_multiple_choices === 1 && p.participant_count > 0);
      expect(multi.length).toBeGreaterThanOrEqual(1);
      for (const poll of multi) {
        const perMember = await q('SELECT member_id, COUNT(*) AS n FROM poll_votes WHERE poll_id = ? GROUP BY member_id', [poll.id]);
        expect(perMember).toHaveLength(poll.participant_count);
        expect(perMember.every((r) => r.n >= 1 && r.n <= 3)).toBe(true);
        expect(perMember.some((r) => r.n > 1)).toBe(true);
        expect(poll.total_votes).toBeGreaterThan(poll.participant_count);
      }

      const hidden = polls.filter((p) => p.results_visibility !== 'ALWAYS');
      expect(hidden.some((p) => p.participant_count > 0)).toBe(true);
      expect(polls.some((p) => p.is_closed === 1 && p.closes_at < now.getTime())).toBe(true);
    });

    it('the demo account is a regular member: it voted somewhere, but not in a hidden-results poll', async () => {
      const demo = await one('SELECT id FROM members WHERE email = ?', [DEMO_ACCOUNT.email]);
      const voted = await q('SELECT DISTINCT p.results_visibility FROM poll_participants pp JOIN posts p ON p.id = pp.poll_id WHERE pp.member_id = ?', [
        demo.id,
      ]);
      expect(voted.length).toBeGreaterThan(0);
      expect(voted.every((r) => r.results_visibility === 'ALWAYS')).toBe(true);
      expect(await one('SELECT COUNT(*) AS n FROM posts WHERE author_id = ? AND results_visibility <> ?', [demo.id, 'ALWAYS'])).toEqual({ n: 0 });
    });

    it('posts are a few hours to some weeks old', async () => {
      const { oldest, newest } = await one('SELECT MIN(created_at) AS oldest, MAX(created_at) AS newest FROM posts');
      expect(oldest).toBeGreaterThan(now.getTime() - 5 * 7 * DAY);
      expect(oldest).toBeLessThan(now.getTime() - 14 * DAY);
      expect(newest).toBeLessThan(now.getTime() - HOUR);
      expect(newest).toBeGreaterThan(now.getTime() - DAY);
    });
  });

  describe('every counter equals a COUNT over its rows', () => {
    it('posts: upvotes, comments, comment sequence, search text and shape', async () => {
      const posts = await q(`
        SELECT p.*,
          (SELECT COUNT(*) FROM upvotes u WHERE u.subject_type = 'POST' AND u.subject_id = p.id) AS upvotes_rows,
          (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id AND c.deleted_at IS NULL) AS comment_rows,
          (SELECT COALESCE(MAX(c.seq), 0) FROM comments c WHERE c.post_id = p.id) AS max_seq,
          (SELECT COUNT(*) FROM post_topics pt WHERE pt.post_id = p.id) AS topic_rows
        FROM posts p`);
      expect(posts.length).toBeGreaterThanOrEqual(12);
      for (const p of posts) {
        expect([p.title, p.upvote_count, p.comment_count, p.comment_seq]).toEqual([p.title, p.upvotes_rows, p.comment_rows, p.max_seq]);
        expect(p.topic_rows).toBeGreaterThanOrEqual(1);
        expect(p.topic_rows).toBeLessThanOrEqual(4);
        const labels = (await q('SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position', [p.id])).map((o) => o.label);
        expect(p.search_text).toBe(buildSearchText({ title: p.title, body: p.body, description: p.description, optionLabels: labels }));
        if (p.kind === 'THREAD') {
          expect(p.body).not.toBeNull();
          expect(p.description).toBeNull();
          expect(labels).toEqual([]);
          expect([p.participant_count, p.total_votes, p.results_version, p.allows_multiple_choices]).toEqual([0, 0, 0, 0]);
        } else {
          expect(p.kind).toBe('POLL');
          expect(p.body).toBeNull();
          expect(labels.length).toBeGreaterThanOrEqual(2);
        }
        expect(p.created_at).toBeLessThan(now.getTime());
      }
    });

    it('polls: participants, total votes, option vote counts, results version and time, closing', async () => {
      const polls = await q(`SELECT * FROM posts WHERE kind = 'POLL'`);
      for (const poll of polls) {
        const votes = await q('SELECT v.*, o.poll_id AS option_poll FROM poll_votes v JOIN poll_options o ON o.id = v.option_id WHERE v.poll_id = ?', [
          poll.id,
        ]);
        const participants = await q('SELECT * FROM poll_participants WHERE poll_id = ? ORDER BY member_id', [poll.id]);
        expect(votes.every((v) => v.option_poll === poll.id)).toBe(true);
        expect(poll.total_votes).toBe(votes.length);
        expect(poll.participant_count).toBe(participants.length);
        // Participants are exactly the members with votes.
        expect(participants.map((r) => r.member_id)).toEqual([...new Set(votes.map((v) => v.member_id))].sort((a, b) => a - b));
        if (poll.allows_multiple_choices === 0) expect(votes.length).toBe(participants.length);
        const options = await q(
          'SELECT o.*, (SELECT COUNT(*) FROM poll_votes v WHERE v.option_id = o.id) AS rows_n FROM poll_options o WHERE o.poll_id = ? ORDER BY position',
          [poll.id],
        );
        expect(options.map((o) => o.position)).toEqual(options.map((_, i) => i));
        for (const o of options) expect(o.vote_count).toBe(o.rows_n);
        expect(options.reduce((sum, o) => sum + o.vote_count, 0)).toBe(poll.total_votes);

        const lastVote = Math.max(poll.created_at, ...votes.map((v) => v.created_at));
        if (votes.length > 0) expect(poll.results_version).toBeGreaterThanOrEqual(1);
        else expect(poll.results_version).toBe(poll.is_closed);
        expect(poll.results_updated_at).toBeGreaterThanOrEqual(lastVote);
        expect(poll.results_updated_at).toBeLessThanOrEqual(now.getTime());
        for (const v of votes) {
          expect(v.created_at).toBeGreaterThan(poll.created_at);
          expect(v.created_at).toBeLessThan(poll.closes_at ?? now.getTime());
          expect(v.member_id).not.toBe(poll.author_id);
        }
        for (const r of participants) expect(votes.find((v) => v.member_id === r.member_id)?.created_at).toBe(r.voted_at);
        if (poll.is_closed === 1) expect(poll.closes_at).toBeLessThanOrEqual(now.getTime());
        else expect(poll.closes_at === null || poll.closes_at > now.getTime()).toBe(true);
        expect(['ALWAYS', 'ON_VOTE', 'ON_CLOSE']).toContain(poll.results_visibility);
      }
    });

    it('revisions: every post and comment has version 1 as first posted; an edited comment also has version 2 at its editedAt', async () => {
      const rows = await q(`
      SELECT s.kind, s.id, s.created_at, s.edited_at, s.text, r.number, r.created_at AS revision_at, r.body, r.editor_id, s.author_id
      FROM (SELECT 'POST' AS kind, id, created_at, edited_at, COALESCE(body, description) AS text, author_id FROM posts
            UNION ALL SELECT 'COMMENT', id, created_at, edited_at, body, author_id FROM comments) s
      LEFT JOIN revisions r ON r.subject_type = s.kind AND r.subject_id = s.id
      ORDER BY s.kind, s.id, r.number`);
      const versions = new Map<string, typeof rows>();
      for (const row of rows) versions.set(`${row.kind}:${row.id}`, [...(versions.get(`${row.kind}:${row.id}`) ?? []), row]);
      let edited = 0;
      for (const list of versions.values()) {
        const [first] = list;
        expect(list.map((row) => row.number)).toEqual(first.edited_at === null ? [1] : [1, 2]);
        expect(first).toMatchObject({ revision_at: first.created_at, editor_id: first.author_id });
        const latest = list[list.length - 1];
        expect(latest.body).toBe(latest.text);
        if (first.edited_at !== null) {
          edited++;
          expect(latest.revision_at).toBe(first.edited_at);
          expect(first.body).not.toBe(latest.body);
        }
      }
      expect(edited).toBeGreaterThan(0);
    });

    it('comments: upvotes, replies one level deep in the same post, seq 1..n in time order', async () => {
      const comments = await q(`
        SELECT c.*,
          (SELECT COUNT(*) FROM upvotes u WHERE u.subject_type = 'COMMENT' AND u.subject_id = c.id) AS upvote_rows,
          (SELECT COUNT(*) FROM comments r WHERE r.parent_id = c.id AND r.deleted_at IS NULL) AS reply_rows,
          p.created_at AS post_created_at
        FROM comments c JOIN posts p ON p.id = c.post_id
        ORDER BY c.post_id, c.created_at, c.id`);
      const byId = new Map(comments.map((c) => [c.id, c]));
      const seqs = new Map<number, number[]>();
      for (const c of comments) {
        expect([c.id, c.upvote_count, c.reply_count]).toEqual([c.id, c.upvote_rows, c.reply_rows]);
        expect(c.deleted_at).toBeNull();
        expect(c.created_at).toBeGreaterThan(c.post_created_at);
        expect(c.created_at).toBeLessThan(now.getTime());
        if (c.edited_at !== null) {
          expect(c.edited_at).toBeGreaterThan(c.created_at);
          expect(c.edited_at).toBeLessThan(now.getTime());
        }
        expect(c.body.trim()).toBe(c.body);
        expect(c.body).not.toMatch(/\n{3,}/);
        if (c.parent_id !== null) {
          const parent = byId.get(c.parent_id);
          expect(parent).toBeDefined();
          expect(parent!.post_id).toBe(c.post_id);
          expect(parent!.parent_id).toBeNull();
          expect(c.created_at).toBeGreaterThan(parent!.created_at);
          expect(c.reply_count).toBe(0);
        }
        seqs.set(c.post_id, [...(seqs.get(c.post_id) ?? []), c.seq]);
      }
      for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i + 1));
      const tiedTimes = await q('SELECT post_id, created_at FROM comments GROUP BY post_id, created_at HAVING COUNT(*) > 1');
      expect(tiedTimes).toEqual([]);
    });

    it('upvotes: on existing subjects, never by their author, after the subject was posted', async () => {
      const bad = await q(
        `
        SELECT u.* FROM upvotes u
        LEFT JOIN posts p ON u.subject_type = 'POST' AND p.id = u.subject_id
        LEFT JOIN comments c ON u.subject_type = 'COMMENT' AND c.id = u.subject_id
        WHERE u.subject_type NOT IN ('POST', 'COMMENT')
           OR COALESCE(p.id, c.id) IS NULL
           OR u.member_id = COALESCE(p.author_id, c.author_id)
           OR u.created_at <= COALESCE(p.created_at, c.created_at)
           OR u.created_at >= ?
           OR u.member_id NOT IN (SELECT id FROM members)`,
        [now.getTime()],
      );
      expect(bad).toEqual([]);
    });

    it('topics: slugs from names, post_count = post_topics rows, every topic used', async () => {
      const topics = await q('SELECT t.*, (SELECT COUNT(*) FROM post_topics pt WHERE pt.topic_id = t.id) AS rows_n FROM topics t');
      expect(topics.length).toBeGreaterThanOrEqual(6);
      expect(topics.length).toBeLessThanOrEqual(12);
      for (const t of topics) {
        expect(t.slug).toBe(t.name.toLowerCase().split(' ').join('-'));
        expect(t.post_count).toBe(t.rows_n);
        expect(t.post_count).toBeGreaterThan(0);
      }
      expect(topics.map((t) => t.slug)).toEqual(expect.arrayContaining(['leadership', 'remote-work']));
    });
  });

  it('is the same community every time, relative to the time it is loaded', async () => {
    const other = await freshDatabase();
    try {
      const later = new Date(now.getTime() + 3 * DAY);
      await other.transaction((manager) => loadDemoCommunity(manager, later));
      const snapshot = async (source: DataSource, at: Date): Promise<unknown> => ({
        posts: (await source.query('SELECT * FROM posts ORDER BY id')).map((p: Row) => ({
          ...p,
          created_at: at.getTime() - p.created_at,
          results_updated_at: at.getTime() - p.results_updated_at,
          participation_changed_at: at.getTime() - p.participation_changed_at,
          closes_at: p.closes_at === null ? null : at.getTime() - p.closes_at,
        })),
        comments: (
          await source.query('SELECT id, post_id, parent_id, author_id, body, seq, upvote_count, reply_count, created_at FROM comments ORDER BY id')
        ).map((c: Row) => ({ ...c, created_at: at.getTime() - c.created_at })),
        members: (await source.query('SELECT id, title, industry, company_size, joined_at FROM members ORDER BY id')).map((m: Row) => ({
          ...m,
          joined_at: at.getTime() - m.joined_at,
        })),
        votes: await source.query('SELECT poll_id, member_id, option_id FROM poll_votes ORDER BY poll_id, member_id, option_id'),
        upvotes: await source.query('SELECT member_id, subject_type, subject_id FROM upvotes ORDER BY member_id, subject_type, subject_id'),
      });
      expect(await snapshot(other, later)).toEqual(await snapshot(ds, now));
    } finally {
      await other.destroy();
    }
  });
});
