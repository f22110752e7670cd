/**
 * The aggregate CSV export of a poll's results (api/insights.graphql, "HTTP: GET /polls/<poll
 * id>/results.csv"): who may download it, where, and the text, as pure functions.
 *
 * The text is written from the very objects the API shows (PollResults, PollResultsBreakdown),
 * never from rows of its own: an export is one more snapshot of what the downloader could read
 * through GraphQL at that moment, so it can never show a figure that Poll.results or
 * Poll.resultsBreakdown would not (k-suppression and the time rule included).
 */
import { isModeratorRole } from '../moderation/moderation.enums';
import { maySeeTallies } from '../poll/poll-results';
import type { PollOptionResult, PollResults } from '../poll/poll-results';
import type { Post } from '../post/post.entity';
import type { PollResultsBreakdown, PollResultsGroup } from './breakdown.types';

/**
 * Whether `viewer` may download the poll's results now: its author always; moderators and admins
 * only when they may see the tallies (maySeeTallies, as for Poll.results), so that a role never
 * reveals what resultsVisibility hides; nobody else, anonymous viewers included. The one rule of
 * both the HTTP route and Poll.resultsCsvUrl.
 */
export function mayDownloadResults(poll: Post, viewer: { id: number; role: string } | null, viewerHasVote: boolean, now: Date): boolean {
  if (viewer === null) return false;
  if (viewer.id === poll.authorId) return true;
  return isModeratorRole(viewer.role) && maySeeTallies(poll, viewer.id, viewerHasVote, now);
}

/** The export's path for a poll's global ID (relative to the server's origin). */
export function resultsCsvPath(pollGlobalId: string): string {
  return `/polls/${encodeURIComponent(pollGlobalId)}/results.csv`;
}

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
const FORMULA_START = /^[=+\-@]/;
/** Characters that oblige RFC 4180 quoting. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 field. Text (an option or group label, written by members) that begins like a
 * formula gets a leading apostrophe first, so that opening the file never runs what a member
 * typed; then it is quoted when it holds a comma, a double quote, CR or LF. Numbers are plain
 * integers.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`a CSV figure must be an integer, got ${value}`);
    return String(value);
  }
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Records, each ended by CRLF (the last one too). */
function csvText(header: readonly string[], records: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [header, ...records].map((record) => record.map(csvField).join(',') + '\r\n').join('');
}

/** A figure the export writes: only results the downloader may see are ever exported. */
function shown(value: number | null, what: string): number {
  if (value === null) throw new Error(`${what} is hidden: the export is only built for viewers who may see the tallies`);
  return value;
}

/** Without `by`: one record per option, in option order, with Poll.results' figures. */
export function pollResultsCsv(results: PollResults): string {
  return csvText(
    ['option', 'votes', 'percentage'],
    results.options.map((option) => [option.label, shown(option.voteCount, 'voteCount'), shown(option.percentage, 'percentage')]),
  );
}

/** With `by`: per bucket (the groups in their order, then `other` when it is not null), one record per option. */
export function breakdownCsv(breakdown: PollResultsBreakdown): string {
  if (breakdown.isHidden) throw new Error('the breakdown is hidden: the export is only built for viewers who may see the tallies');
  const buckets: PollResultsGroup[] = [...breakdown.groups, ...(breakdown.other ? [breakdown.other] : [])];
  return csvText(
    ['group', 'participants', 'option', 'votes', 'percentage'],
    buckets.flatMap((bucket) =>
      bucket.options.map((option: PollOptionResult) => [
        bucket.label,
        bucket.participantCount,
        option.label,
        shown(option.voteCount, 'voteCount'),
        shown(option.percentage, 'percentage'),
      ]),
    ),
  );
}
