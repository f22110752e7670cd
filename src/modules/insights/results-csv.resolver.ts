/** Poll.resultsCsvUrl (api/insights.graphql): where the viewer may download the poll's results, if anywhere. */
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { changesByItselfAt } from '../context';
import type { RequestContext } from '../context';
import { freshViewerOf } from '../moderation/visibility';
import { Poll } from '../poll/poll.types';
import type { Post } from '../post/post.entity';
import { mayDownloadResults, resultsCsvPath } from './results-csv';

@Resolver(() => Poll)
export class ResultsCsvFieldResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Where to download the aggregate CSV export (GET /polls/<id>/results.csv, described at the top of insights.graphql): a path ' +
      'relative to the server\'s origin, e.g. "/polls/UG9sbDo3/results.csv"; add ?by=INDUSTRY or ?by=COMPANY_SIZE for the breakdown. ' +
      "Send the viewer's bearer token with it. Non-null exactly for viewers who may download it now: the poll's author, and moderators " +
      "and admins who may see the poll's tallies. Null for everyone else, anonymous viewers included.",
  })
  async resultsCsvUrl(@Root() poll: Post, @Ctx() context: RequestContext): Promise<string | null> {
    // The route decides with the same rule, the member's role as stored now and their vote.
    const viewer = await freshViewerOf(context);
    if (!viewer) return null;
    const choices = await context.loaders.viewerChoicesByPollId.load(poll.id);
    // A moderator's answer turns non-null when an ON_CLOSE poll passes its closesAt.
    changesByItselfAt(context, poll.closesAt);
    return mayDownloadResults(poll, viewer, choices.length > 0, new Date()) ? resultsCsvPath(poll.globalId) : null;
  }
}
