import { characterLength, cleanOptionalText, cleanText, pageSize } from './input-validation';

const codeAndField = (fn: () => unknown) => {
  try {
    fn();
  } catch (error: any) {
    return error.extensions;
  }
  return null;
};

describe('input validation', () => {
  it('trims and counts characters, not UTF-16 units', () => {
    expect(cleanText('  hello  ', 'f', { min: 1, max: 5 })).toBe('hello');
    expect(characterLength('👍👍')).toBe(2);
    expect(cleanText('👍👍', 'f', { max: 2 })).toBe('👍👍');
    expect(codeAndField(() => cleanText('👍👍👍', 'f', { max: 2 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'f' });
  });

  it('refuses blank required text', () => {
    expect(codeAndField(() => cleanText('   ', 'input.title', { min: 1, max: 10 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'input.title' });
  });

  it('allows newlines and tabs in bodies only, and normalises CRLF', () => {
    expect(cleanText('a\r\n\r\nb\tc', 'input.body', { max: 100, multiline: true })).toBe('a\n\nb\tc');
    expect(codeAndField(() => cleanText('a\nb', 'input.title', { max: 100 }))).toMatchObject({ field: 'input.title' });
    expect(codeAndField(() => cleanText('a\u0000b', 'input.body', { max: 100, multiline: true }))).toMatchObject({ field: 'input.body' });
    expect(codeAndField(() => cleanText('a\u0085b', 'input.body', { max: 100, multiline: true }))).toMatchObject({ field: 'input.body' });
  });

  it('turns blank optional text into null', () => {
    expect(cleanOptionalText('  ', 'f', { max: 3 })).toBeNull();
    expect(cleanOptionalText(undefined, 'f', { max: 3 })).toBeNull();
  });

  it('checks page sizes, null meaning the default', () => {
    expect(pageSize(null)).toBe(20);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, 101, -1, 1.5]) expect(codeAndField(() => pageSize(bad))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
