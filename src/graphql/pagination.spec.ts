import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursors', () => {
  it('round-trip the sort key of their order', () => {
    const cursor = encodeCursor('NEWEST', [1764100000000, 42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'NEWEST', 2)).toEqual([1764100000000, 42]);
  });

  it('keep floating-point scores exact', () => {
    const score = 0.1 + 0.2;
    expect(decodeCursor(encodeCursor('TRENDING', [1, score, 3]), 'TRENDING', 3)[1]).toBe(score);
  });

  it.each([
    ['another order', encodeCursor('MOST_UPVOTED', [3, 4]), 'NEWEST', 2],
    ['the wrong arity', encodeCursor('NEWEST', [3]), 'NEWEST', 2],
    ['garbage', 'not a cursor!', 'NEWEST', 2],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url'), 'NEWEST', 2],
    ['non-scalar keys', Buffer.from(JSON.stringify({ o: 'NEWEST', k: [{}, 1] })).toString('base64url'), 'NEWEST', 2],
  ])('refuse %s as BAD_USER_INPUT on the field', (_label, cursor, order, arity) => {
    try {
      decodeCursor(cursor, order, arity, 'after');
      throw new Error('accepted');
    } catch (error: any) {
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});

describe('toPage', () => {
  const cursorOf = (n: number) => `c${n}`;
  it('uses the extra row only to say a next page exists', () => {
    const page = toPage([1, 2, 3], 2, false, cursorOf);
    expect(page.nodes).toEqual([1, 2]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: 'c1', endCursor: 'c2' });
  });
  it('handles the last and the empty page', () => {
    expect(toPage([1], 2, true, cursorOf).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, endCursor: 'c1' });
    expect(toPage([], 2, true, cursorOf).pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });
  });
});
