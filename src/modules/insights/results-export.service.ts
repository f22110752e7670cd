/**
 * The CSV export of one poll's results for one signed-in member (api/insights.graphql, "HTTP: GET
 * /polls/<poll id>/results.csv"). Knows nothing of HTTP: the route authenticates, decodes the id
 * and turns the coded errors thrown here into statuses.
 *
 * The figures come through the same reads and builders as Poll.results and Poll.resultsBreakdown
 * (PollReadService.resultsState / breakdownStates, buildPollResults / buildBreakdown, visibility
 * by maySeeTallies), so the export never shows what those fields would not show the downloader.
 */
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { contentViewerOfMember, isRemovedFor } from '../moderation/visibility';
import { buildPollResults, maySeeTallies } from '../poll/poll-results';
import type { PollReadService } from '../poll/poll-reads.service';
import type { BreakdownDimension } from './breakdown.entity';
import { buildBreakdown } from './breakdown-view';
import { breakdownCsv, mayDownloadResults, pollResultsCsv } from './results-csv';

const DIMENSIONS: ReadonlySet<string> = new Set<BreakdownDimension>(['INDUSTRY', 'COMPANY_SIZE']);

/** Who downloads: the member as the token lookup read it for this request (fresh role). */
export interface Downloader {
  id: number;
  role: string;
}

export class ResultsExportService {
  constructor(
    private readonly pollReads: Pick<PollReadService, 'resultsState' | 'breakdownStates' | 'choicesOf'>,
    private readonly minGroupSize: number,
  ) {}

  /**
   * The CSV text of poll `pollId` (a database id; null when the request's id names no poll at
   * all) for `downloader`, broken down by `by` when it is given (the raw query value).
   * Checked in the specification's order: NOT_FOUND (no such poll, deleted, or removed by a
   * moderator for this member), FORBIDDEN (not allowed to download), BAD_USER_INPUT on "by".
   */
  async csv(downloader: Downloader, pollId: number | null, by: unknown): Promise<string> {
    if (pollId === null) throw new NotFoundError('Poll');
    const now = new Date();
    // A bad `by` is answered only after the permission (so it tells nobody else anything): the
    // plain export's read stands in for it meanwhile.
    const dimension = typeof by === 'string' && DIMENSIONS.has(by) ? (by as BreakdownDimension) : null;
    const [plain, grouped, choices] = await Promise.all([
      dimension ? null : this.pollReads.resultsState([pollId]).then((states) => states.get(pollId) ?? null),
      dimension ? this.pollReads.breakdownStates([pollId], now).then((states) => states.get(pollId) ?? null) : null,
      this.pollReads.choicesOf(downloader.id, [pollId]),
    ]);
    const poll = (grouped ?? plain)?.poll;
    // A poll removed by a moderator is gone for everyone but its author and moderators, as a deleted one.
    if (!poll || isRemovedFor(contentViewerOfMember(downloader), poll)) throw new NotFoundError('Poll');
    const hasVote = (choices.get(pollId) ?? []).length > 0;
    if (!mayDownloadResults(poll, downloader, hasVote, now)) {
      throw new ForbiddenError("Only the poll's author, and moderators and admins who may see its tallies, may download its results.");
    }
    if (by !== undefined && dimension === null) throw new BadUserInputError('by', 'must be INDUSTRY or COMPANY_SIZE.');
    // True for everyone allowed (the author always sees the tallies, moderators only when they may),
    // computed as Poll.results computes it all the same: the builders then withhold exactly as for the API.
    const visible = maySeeTallies(poll, downloader.id, hasVote, now);
    if (dimension && grouped) {
      const { options, source } = grouped;
      return breakdownCsv(buildBreakdown({ poll, options, dimension, source, visible, now, minGroupSize: this.minGroupSize }));
    }
    return pollResultsCsv(buildPollResults(poll, plain?.options ?? [], visible, now));
  }
}
