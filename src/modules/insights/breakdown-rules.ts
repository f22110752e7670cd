/**
 * The rules of poll breakdowns (api/insights.graphql, PollResultsBreakdown), as pure functions over
 * counts, so that they read like the specification and are tested without a database:
 * - which buckets a vote that joins an open poll publishes (rules 2 and 3: the time rule and
 *   complementary suppression while open);
 * - what a closed poll shows (groups of at least k, `other` never 1..k-1);
 * - the display order (most participants first, then label in code point order).
 * Group keys are what a participant row stores (an industry as written, a CompanySize value);
 * null is "no group" (no industry, or "Other").
 */
import { COMPANY_SIZE_LABELS, CompanySize } from '../member/company-size';
import type { BreakdownDimension } from './breakdown.entity';

/** How a group is labelled: the industry as written, or the size band as bylines write it. */
export function groupLabel(dimension: BreakdownDimension, key: string): string {
  return dimension === 'COMPANY_SIZE' ? (COMPANY_SIZE_LABELS[key as CompanySize] ?? key) : key;
}

/** Unicode code point order (JavaScript's < compares UTF-16 units, which differs past U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** Display order: most participants first, then by label. */
export function byDisplayOrder<T extends { participants: number; label: string }>(a: T, b: T): number {
  return b.participants - a.participants || compareCodePoints(a.label, b.label);
}

/** One group's participants now, and how many of them are new to the bucket they are in. */
export interface GroupTally {
  /** The group key; null for participants in no group. */
  key: string | null;
  participants: number;
  /** Participants not counted in the last publication of their current bucket. */
  fresh: number;
  /** Whether the group is a shown group (it has been published as one). */
  shown: boolean;
}

export interface DuePublications {
  /** Shown groups to publish again (rule 2). */
  republished: string[];
  /** Groups to show from now on and publish (rule 3). */
  promoted: string[];
  /** Whether `other` is published (rule 3). */
  other: boolean;
}

/**
 * What a vote that changed participation publishes, given every group's tallies after it (rules 2
 * and 3 of PollResultsBreakdown). Nothing is due when no bucket has k new participants.
 */
export function duePublications(dimension: BreakdownDimension, tallies: readonly GroupTally[], k: number): DuePublications {
  const republished = tallies.filter((group) => group.shown && group.key !== null && group.fresh >= k).map((group) => group.key as string);
  const inOther = tallies.filter((group) => !group.shown);
  const otherFresh = inOther.reduce((sum, group) => sum + group.fresh, 0);
  if (otherFresh < k) return { republished, promoted: [], other: false };
  const candidates = inOther
    .filter((group): group is GroupTally & { key: string } => group.key !== null && group.participants >= k)
    .map((group) => ({ key: group.key, participants: group.participants, label: groupLabel(dimension, group.key) }))
    .sort(byDisplayOrder);
  const otherParticipants = inOther.reduce((sum, group) => sum + group.participants, 0);
  const left = otherParticipants - candidates.reduce((sum, group) => sum + group.participants, 0);
  // `other` of 1..k-1 could be recovered from the totals: the smallest candidate stays in it.
  if (left > 0 && left < k) candidates.pop();
  return { republished, promoted: candidates.map((group) => group.key), other: true };
}

/** What a closed poll shows: groups of k or more (display order) and the keys folded into `other`. */
export function closedBuckets(
  dimension: BreakdownDimension,
  participantsByGroup: ReadonlyMap<string | null, number>,
  k: number,
): { shown: string[]; other: Array<string | null> } {
  const total = [...participantsByGroup.values()].reduce((sum, n) => sum + n, 0);
  if (total < k) return { shown: [], other: [] };
  const shown = [...participantsByGroup]
    .filter((entry): entry is [string, number] => entry[0] !== null && entry[1] >= k)
    .map(([key, participants]) => ({ key, participants, label: groupLabel(dimension, key) }))
    .sort(byDisplayOrder);
  const left = total - shown.reduce((sum, group) => sum + group.participants, 0);
  // As while open: an `other` of 1..k-1 takes the smallest shown group with it.
  if (left > 0 && left < k) shown.pop();
  const shownKeys = shown.map((group) => group.key);
  return { shown: shownKeys, other: [...participantsByGroup.keys()].filter((key) => key === null || !shownKeys.includes(key)) };
}
