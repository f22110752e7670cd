/**
 * Every module's DataLoaders (each in its <module>.loaders.ts), assembled:
 * created per request (never shared: they cache) and reached only through
 * the context. They turn the N lookups of a page into one query per kind of
 * data, so a thread page costs a constant number of statements. A module's
 * loaders also own their invalidation (e.g. afterVote): resolvers never
 * clear caches by hand.
 */
import { CommentLoaders, createCommentLoaders } from './comment/comment.loaders';
import { createMemberLoaders, MemberLoaders } from './member/member.loaders';
import { createModerationLoaders, ModerationLoaders } from './moderation/moderation.loaders';
import { createPollLoaders, createPollViewerLoaders, PollLoaders, PollViewerLoaders } from './poll/poll.loaders';
import { createPostLoaders, PostLoaders } from './post/post.loaders';
import { createReportLoaders, createReportViewerLoaders, ReportLoaders, ReportViewerLoaders } from './report/report.loaders';
import { createRevisionLoaders, RevisionLoaders } from './revision/revision.loaders';
import type { Services } from './services';
import { createTopicLoaders, TopicLoaders } from './topic/topic.loaders';
import { createUpvoteLoaders, createUpvoteViewerLoaders, UpvoteLoaders, UpvoteViewerLoaders } from './upvote/upvote.loaders';

/** Loaders whose answers are the same for everyone: the live API shares them between subscribers of one event. */
export type SharedLoaders = MemberLoaders &
  PostLoaders &
  TopicLoaders &
  CommentLoaders &
  PollLoaders &
  UpvoteLoaders &
  RevisionLoaders &
  ReportLoaders &
  ModerationLoaders;
/** Loaders whose answers depend on who asks. */
type ViewerLoaders = PollViewerLoaders & UpvoteViewerLoaders & ReportViewerLoaders;
export type Loaders = SharedLoaders & ViewerLoaders;

/** What the loaders read through: the modules' services. */
export type LoaderSources = Pick<
  Services,
  | 'members'
  | 'posts'
  | 'postLists'
  | 'topics'
  | 'comments'
  | 'commentLists'
  | 'pollReads'
  | 'upvotes'
  | 'revisions'
  | 'reports'
  | 'moderationLog'
  | 'postControl'
>;

/**
 * The parts as one object. Object.assign, not object spread: every part holds closures made for this
 * request, and V8 rebuilt the spread literal's hidden class property by property each time (measured:
 * 240 µs per request for the nine shared parts, 3 µs with Object.assign), paid by every HTTP request
 * and every subscriber of a live flush.
 */
function merged<P extends object[]>(...parts: P): AllOf<P> {
  return Object.assign({}, ...parts) as AllOf<P>;
}

/** The intersection of the parts' types: what their merge holds (checked against Loaders where it is returned). */
type AllOf<P extends object[]> = P extends [infer First, ...infer Rest extends object[]] ? First & AllOf<Rest> : unknown;

/** A request's loaders. */
export function createLoaders(sources: LoaderSources, viewerId: number | null): Loaders {
  const shared = createSharedLoaders(sources);
  return merged(
    shared,
    createPollViewerLoaders(sources.pollReads, viewerId, shared),
    createUpvoteViewerLoaders(sources.upvotes, viewerId, null),
    createReportViewerLoaders(sources.reports, viewerId, shared, false),
  );
}

/** One viewer's loaders over shared ones: N subscribers of one event cost one query per shared kind. */
export function withViewer(shared: SharedLoaders, sources: LoaderSources, viewerId: number | null): Loaders {
  return merged(
    shared,
    createPollViewerLoaders(sources.pollReads, viewerId, shared),
    // Through the shared pair loader: every subscriber's flags of one event in one query.
    createUpvoteViewerLoaders(sources.upvotes, viewerId, shared),
    createReportViewerLoaders(sources.reports, viewerId, shared, true),
  );
}

export function createSharedLoaders(sources: LoaderSources): SharedLoaders {
  return merged(
    createMemberLoaders(sources.members),
    createPostLoaders(sources.posts, sources.postLists),
    createTopicLoaders(sources.topics),
    createCommentLoaders(sources.comments, sources.commentLists),
    createPollLoaders(sources.pollReads),
    createUpvoteLoaders(sources.upvotes),
    createRevisionLoaders(sources.revisions),
    createReportLoaders(sources.reports),
    createModerationLoaders(sources.moderationLog, sources.postControl),
  );
}
