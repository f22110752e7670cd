/**
 * node(id) and moderation: what a viewer may not reach by id. A post removed for the viewer is gone
 * (as a deleted one), with its stats, results, comments and versions; the versions of hidden
 * content are withheld as its text is. A removed comment itself stays reachable as a placeholder
 * (Comment.body and author withhold it), like a deleted one.
 */
import type { NodeTypeName } from '../../graphql/global-id';
import type { RequestContext } from '../context';
import { ContentViewer, contentViewerOf, isRemovedFor, isWithheldFrom, ModeratedContent } from './visibility';

export async function isGoneForViewer(decoded: { type: NodeTypeName; id: number }, context: RequestContext): Promise<boolean> {
  const { loaders } = context;
  let viewer: ContentViewer | null = null;
  const seen = async () => (viewer ??= await contentViewerOf(context));
  const postRemoved = async (postId: number) => {
    const post = await loaders.postById.load(postId);
    return post !== null && post.moderationState === 'REMOVED' && isRemovedFor(await seen(), post);
  };
  const withheld = async (content: ModeratedContent | null) =>
    content !== null && content.moderationState !== 'VISIBLE' && isWithheldFrom(await seen(), content);

  switch (decoded.type) {
    case 'Thread':
    case 'Poll':
    case 'PostStats':
    case 'PollResults':
    case 'PollIndustryBreakdown':
    case 'PollCompanySizeBreakdown':
      return postRemoved(decoded.id);
    case 'PollOption': {
      // A removed poll's options go with it, as a deleted poll's do.
      const option = await loaders.pollOptionById.load(decoded.id);
      return option !== null && (await postRemoved(option.pollId));
    }
    case 'Comment': {
      const comment = await loaders.commentById.load(decoded.id);
      return comment !== null && (await postRemoved(comment.postId));
    }
    case 'Revision': {
      const revision = await loaders.revisionById.load(decoded.id);
      if (!revision) return false;
      if (revision.subjectType === 'POST') return withheld(await loaders.postById.load(revision.subjectId));
      const comment = await loaders.commentById.load(revision.subjectId);
      return comment !== null && ((await withheld(comment)) || (await postRemoved(comment.postId)));
    }
    default:
      return false;
  }
}
