import { decodeIdOf, fromGlobalId, toGlobalId } from './global-id';

describe('global ids', () => {
  it('are opaque and round-trip', () => {
    const id = toGlobalId('Poll', 12);
    expect(id).not.toContain('Poll');
    expect(fromGlobalId(id)).toEqual({ type: 'Poll', id: 12 });
  });

  it('accepts the largest 32-bit id', () => {
    expect(fromGlobalId(toGlobalId('Poll', 2147483647))).toEqual({ type: 'Poll', id: 2147483647 });
  });

  it.each([
    '',
    '!!!',
    toGlobalId('Poll', 1) + '=',
    Buffer.from('Unknown:1').toString('base64url'),
    Buffer.from('Poll:0').toString('base64url'),
    Buffer.from('Poll:1.5').toString('base64url'),
    Buffer.from('Poll:-1').toString('base64url'),
    // Past PostgreSQL's 32-bit id columns (there the query would fail, not miss).
    Buffer.from('Poll:2147483648').toString('base64url'),
    Buffer.from('Poll:99999999999').toString('base64url'),
    'x'.repeat(100),
  ])('rejects %j as malformed', (text) => {
    expect(fromGlobalId(text)).toBeNull();
  });

  it('tells malformed (BAD_USER_INPUT) from another kind (null, for NOT_FOUND)', () => {
    expect(decodeIdOf(toGlobalId('Thread', 3), 'input.pollId', ['Poll'])).toBeNull();
    expect(() => decodeIdOf('???', 'input.pollId', ['Poll'])).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.pollId' } }),
    );
  });
});
