/**
 * Input checks shared by every module: trimming, lengths in characters (code
 * points, not UTF-16 units) and control characters. Each failure is a
 * BAD_USER_INPUT naming the field, thrown before any write.
 */
import { BadUserInputError } from './errors';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './pagination';

// C0 and C1 control characters, DEL, and Unicode line/paragraph separators: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
// Bodies and descriptions may hold newlines and tabs (paragraphs), nothing else.
// eslint-disable-next-line no-control-regex
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/;

export interface TextRule {
  min?: number;
  max: number;
  /** Allow newlines and tabs (bodies, descriptions). */
  multiline?: boolean;
}

export function characterLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Trims, checks control characters and length; returns the clean text. */
export function cleanText(value: unknown, field: string, rule: TextRule): string {
  if (typeof value !== 'string') throw new BadUserInputError(field, 'must be a string.');
  // Windows line ends become plain newlines so lengths and display agree.
  const text = (rule.multiline ? value.replace(/\r\n?/g, '\n') : value).trim();
  const forbidden = rule.multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE;
  if (forbidden.test(text)) {
    throw new BadUserInputError(
      field,
      rule.multiline ? 'must not contain control characters other than newlines and tabs.' : 'must not contain control characters or line breaks.',
    );
  }
  const length = characterLength(text);
  const min = rule.min ?? 0;
  if (length < min) throw new BadUserInputError(field, min === 1 ? 'must not be empty.' : `must be at least ${min} characters.`);
  if (length > rule.max) throw new BadUserInputError(field, `must be at most ${rule.max} characters (got ${length}).`);
  return text;
}

/** Like cleanText, but null/undefined/blank become null. */
export function cleanOptionalText(value: unknown, field: string, rule: TextRule): string | null {
  if (value === null || value === undefined) return null;
  const text = cleanText(value, field, { ...rule, min: 0 });
  return text === '' ? null : text;
}

/** `first` of a connection: 1..max, null/undefined meaning the default. */
export function pageSize(first: number | null | undefined, field = 'first', max = PAGE_SIZE_MAX, fallback = PAGE_SIZE_DEFAULT): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) throw new BadUserInputError(field, `must be between 1 and ${max}.`);
  return first;
}
