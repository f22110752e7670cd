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

/** One part of a request's loaders; `all` is the request's whole set (viewer parts sit beside the shared ones). */
type Part = (sources: LoaderSources, viewerId: number | null, all: Loaders) => object;

/** A request's parts, in merge order: a key two parts hold (postKindById) is the later part's, as Object.assign made it. */
const REQUEST_PARTS: readonly Part[] = [
  (sources) => createMemberLoaders(sources.members),
  (sources) => createPostLoaders(sources.posts, sources.postLists),
  (sources) => createTopicLoaders(sources.topics),
  (sources, _viewerId, all) => createCommentLoaders(sources.comments, sources.commentLists, () => all.memberById),
  (sources) => createPollLoaders(sources.pollReads),
  (sources) => createUpvoteLoaders(sources.upvotes),
  (sources) => createRevisionLoaders(sources.revisions),
  (sources) => createReportLoaders(sources.reports),
  (sources) => createModerationLoaders(sources.moderationLog, sources.postControl),
  (sources, viewerId, all) => createPollViewerLoaders(sources.pollReads, viewerId, all),
  (sources, viewerId) => createUpvoteViewerLoaders(sources.upvotes, viewerId, null),
  (sources, viewerId, all) => createReportViewerLoaders(sources.reports, viewerId, all, false),
];

const SOURCES = Symbol('loader sources');
const VIEWER_ID = Symbol('viewer id');
interface LazyLoaders {
  [SOURCES]: LoaderSources;
  [VIEWER_ID]: number | null;
}

/** Built from the first request's loaders (which tell each part's keys); null until then. */
let lazyPrototype: object | null = null;

/**
 * A prototype with one getter per loader: reading a loader builds its part for this request (all of
 * the part's loaders, as own properties from then on), so the same instance answers every later
 * read and a part's invalidation (afterVote) clears what the resolvers read.
 */
function lazyPrototypeOf(built: object[]): object {
  const owner = new Map<string, number>();
  built.forEach((part, index) => Object.keys(part).forEach((key) => owner.set(key, index)));
  const prototype = {};
  for (const [key, index] of owner) {
    Object.defineProperty(prototype, key, {
      get(this: LazyLoaders & Loaders) {
        const part = REQUEST_PARTS[index](this[SOURCES], this[VIEWER_ID], this) as Record<string, unknown>;
        for (const [own, ownIndex] of owner) {
          if (ownIndex === index) Object.defineProperty(this, own, { value: part[own], writable: true, enumerable: true, configurable: true });
        }
        return part[key];
      },
      configurable: true,
    });
  }
  return prototype;
}

/**
 * A request's loaders, each part built when a resolver first reads one of its loaders: most
 * requests read a few kinds of data (`{ __typename }`, a mutation, a subscribe reads none), and
 * building all some 40 DataLoaders up front was 3% of a small request's CPU.
 */
export function createLoaders(sources: LoaderSources, viewerId: number | null): Loaders {
  if (!lazyPrototype) {
    const all = {} as Loaders;
    const built = REQUEST_PARTS.map((part) => part(sources, viewerId, all));
    lazyPrototype = lazyPrototypeOf(built);
    return Object.assign(all, ...built) as Loaders;
  }
  const loaders = Object.create(lazyPrototype) as LazyLoaders & Loaders;
  loaders[SOURCES] = sources;
  loaders[VIEWER_ID] = viewerId;
  return loaders;
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
  const members = createMemberLoaders(sources.members);
  return merged(
    members,
    createPostLoaders(sources.posts, sources.postLists),
    createTopicLoaders(sources.topics),
    createCommentLoaders(sources.comments, sources.commentLists, () => members.memberById),
    createPollLoaders(sources.pollReads),
    createUpvoteLoaders(sources.upvotes),
    createRevisionLoaders(sources.revisions),
    createReportLoaders(sources.reports),
    createModerationLoaders(sources.moderationLog, sources.postControl),
  );
}
