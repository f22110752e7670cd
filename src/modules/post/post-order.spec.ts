import { trendingScore } from './post-order';

const HOUR = 3_600_000;
const now = new Date('2026-11-25T12:00:00Z');
const post = (ageHours: number, counts: Partial<{ upvoteCount: number; commentCount: number; viewCount: number }> = {}) => ({
  upvoteCount: 0,
  commentCount: 0,
  viewCount: 0,
  ...counts,
  createdAt: new Date(now.getTime() - ageHours * HOUR),
});

describe('trendingScore', () => {
  it('weighs upvotes over comments over views, plus one so new posts enter', () => {
    expect(trendingScore(post(0, { upvoteCount: 1 }), now)).toBe(4);
    expect(trendingScore(post(0, { commentCount: 1 }), now)).toBe(3);
    expect(trendingScore(post(0, { viewCount: 100 }), now)).toBe(2);
    expect(trendingScore(post(0), now)).toBe(1);
  });

  it('halves after a day and thirds after two', () => {
    const fresh = trendingScore(post(0, { upvoteCount: 10 }), now);
    expect(trendingScore(post(24, { upvoteCount: 10 }), now)).toBeCloseTo(fresh / 2);
    expect(trendingScore(post(48, { upvoteCount: 10 }), now)).toBeCloseTo(fresh / 3);
  });

  it('lets a recent lively post beat an old popular one', () => {
    const recent = trendingScore(post(2, { upvoteCount: 20, commentCount: 30, viewCount: 900 }), now);
    const old = trendingScore(post(24 * 20, { upvoteCount: 131, commentCount: 319, viewCount: 41_000 }), now);
    expect(recent).toBeGreaterThan(old);
  });

  it('treats a post from the future as brand new', () => {
    expect(trendingScore(post(-5, { upvoteCount: 1 }), now)).toBe(4);
  });
});
