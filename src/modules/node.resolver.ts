/**
 * Query.node: every Node of the API by its global ID. An ID of the wrong
 * type, or one that names nothing, is null, as Relay expects.
 */
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { fromGlobalId } from '../graphql/global-id';
import { Node, NodeLike } from '../graphql/node';
import type { RequestContext } from './context';
import { breakdownForViewer } from './insights/breakdown.resolver';
import { resultsForViewer } from './poll/poll.resolver';
import { PostStats } from './post/post.types';
import { readableRevision } from './revision/revision.resolver';
import { readableReport } from './report/report.resolver';
import { isModeratorRole } from './moderation/moderation.enums';
import { isGoneForViewer } from './moderation/node-visibility';

@Resolver()
export class NodeResolver {
  /** k of poll breakdowns, which are nodes too. */
  constructor(private readonly minGroupSize: number) {}

  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null when the ID names nothing.' })
  async node(@Arg('id', () => ID, { description: 'A global ID from any `id` field.' }) id: string, @Ctx() context: RequestContext): Promise<NodeLike | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    // Moderation: what is removed (or, for versions, hidden) for this viewer is null, as if deleted.
    if (await isGoneForViewer(decoded, context)) return null;
    const { loaders } = context;
    switch (decoded.type) {
      case 'Member':
        return loaders.memberById.load(decoded.id);
      case 'Topic':
        return loaders.topicById.load(decoded.id);
      case 'Comment':
        return loaders.commentById.load(decoded.id);
      case 'PollOption':
        return loaders.pollOptionById.load(decoded.id);
      case 'Thread':
      case 'Poll': {
        const post = await loaders.postById.load(decoded.id);
        return post && post.typeName === decoded.type ? post : null;
      }
      case 'PostStats': {
        const post = await loaders.postById.load(decoded.id);
        return post ? new PostStats(post) : null;
      }
      case 'PollResults': {
        const post = await loaders.postById.load(decoded.id);
        return post && post.kind === 'POLL' ? resultsForViewer(post, context) : null;
      }
      case 'PollIndustryBreakdown':
      case 'PollCompanySizeBreakdown': {
        const post = await loaders.postById.load(decoded.id);
        const dimension = decoded.type === 'PollIndustryBreakdown' ? 'INDUSTRY' : 'COMPANY_SIZE';
        return post && post.kind === 'POLL' ? breakdownForViewer(post.id, dimension, context, this.minGroupSize) : null;
      }
      case 'Revision':
        return readableRevision(decoded.id, loaders);
      case 'Report':
        return readableReport(decoded.id, context);
      case 'ModerationLogEntry':
        // Moderators only: for anyone else the log does not exist.
        return isModeratorRole(context.viewer?.role) ? loaders.moderationLogEntryById.load(decoded.id) : null;
    }
  }
}
