import { atArgument, idOf, signedIn } from './api-edge';
import { BadUserInputError, ForbiddenError, NotFoundError } from './errors';
import { toGlobalId } from './global-id';

const fieldOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    return { code: (error as NotFoundError).extensions.code, field: (error as NotFoundError).extensions.field, message: (error as Error).message };
  }
  throw new Error('expected an error');
};

describe('the API edge', () => {
  it('roots a service field under the argument, message and extensions alike', async () => {
    expect(await fieldOf(() => atArgument('input', async () => Promise.reject(new BadUserInputError('options[2]', 'must not be empty.'))))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.options[2]',
      message: 'input.options[2]: must not be empty.',
    });
    expect(await fieldOf(() => atArgument('input', async () => Promise.reject(new NotFoundError('Poll', 'pollId'))))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.pollId',
    });
    const forbidden = new ForbiddenError();
    await expect(atArgument('input', async () => Promise.reject(forbidden))).rejects.toBe(forbidden);
  });

  it('decodes an id of the expected type; malformed is BAD_USER_INPUT, another type NOT_FOUND, on the field', async () => {
    expect(idOf(toGlobalId('Poll', 7), 'pollId', ['Poll'], 'Poll')).toEqual({ type: 'Poll', id: 7 });
    expect(await fieldOf(async () => idOf('!!!', 'pollId', ['Poll'], 'Poll'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pollId' });
    expect(await fieldOf(async () => idOf(toGlobalId('Thread', 7), 'pollId', ['Poll'], 'Poll'))).toMatchObject({ code: 'NOT_FOUND', field: 'pollId' });
  });

  it('asks for a signed-in viewer first', () => {
    expect(() => signedIn(null)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
    expect(signedIn('member')).toBe('member');
  });
});
