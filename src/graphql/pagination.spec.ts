import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursors', () => {
  it('round-trip the sort key of their order', () => {
    const cursor = encodeCursor('NEWEST', [1764100000000, 42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'NEWEST', ['time', 'int32'])).toEqual([1764100000000, 42]);
  });

  it('keep floating-point scores exact', () => {
    const score = 0.1 + 0.2;
    expect(decodeCursor(encodeCursor('TRENDING', [1, score, 3]), 'TRENDING', ['time', 'number', 'int32'])[1]).toBe(score);
  });

  const forged = (key: unknown[], order = 'NEWEST') => Buffer.from(JSON.stringify({ o: order, k: key })).toString('base64url');
  it.each([
    ['another order', encodeCursor('MOST_UPVOTED', [3, 4])],
    ['the wrong arity', encodeCursor('NEWEST', [3])],
    ['garbage', 'not a cursor!'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['non-scalar keys', forged([{}, 1])],
    ['a string where a number belongs', forged(['zzz', 1])],
    ['a fraction where an integer belongs', forged([1.5, 1])],
    ['an unsafe integer', forged([2 ** 60, 1])],
    ['a time no Date can hold', forged([8.64e15 + 1, 1])],
    ['an id past the 32-bit columns', forged([1764100000000, 2 ** 31])],
    ['an id below the 32-bit columns', forged([1764100000000, -(2 ** 31) - 1])],
  ])('refuse %s as BAD_USER_INPUT on the field', (_label, cursor) => {
    try {
      decodeCursor(cursor, 'NEWEST', ['time', 'int32'], 'after');
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
