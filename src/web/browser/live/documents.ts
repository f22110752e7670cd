/**
 * What the live pages ask the live API, and the shapes they get back. Only subscriptions: the
 * pages have one WebSocket and no HTTP request of their own, and every subscription below sends
 * the current state at once (commentAdded replays from `after`), so a (re)subscription redraws
 * the page from fresh data.
 */

/** The poll itself: the question, and what the page says about closing and hidden results. */
export const WATCH_POLL = `subscription LivePoll($postId: ID!) {
  postUpdated(postId: $postId) { post { id title ... on Poll { isClosed closesAt resultsVisibility } } }
}`;

export type ResultsVisibility = 'ALWAYS' | 'ON_VOTE' | 'ON_CLOSE';

export interface PollPost {
  id: string;
  title: string;
  isClosed: boolean;
  closesAt: string | null;
  resultsVisibility: ResultsVisibility;
}

export interface PostUpdatedData<P> {
  /** Null once the post is deleted or removed: the last message. */
  postUpdated: { post: P | null };
}

/** The tallies as an anonymous viewer may see them (hidden ones arrive as nulls, never as numbers). */
export const WATCH_RESULTS = `subscription LiveResults($pollId: ID!) {
  pollResultsUpdated(pollId: $pollId) { version participantCount isClosed isHidden options { optionId label voteCount percentage } }
}`;

export interface PollResults {
  version: number;
  participantCount: number;
  isClosed: boolean;
  isHidden: boolean;
  options: Array<{ optionId: string; label: string; voteCount: number | null; percentage: number | null }>;
}

export interface ResultsData {
  pollResultsUpdated: PollResults;
}

export const WATCH_THREAD = `subscription LiveThread($postId: ID!) {
  postUpdated(postId: $postId) { post { id title } }
}`;

export interface ThreadPost {
  id: string;
  title: string;
}

export const WATCH_STATS = `subscription LiveStats($postId: ID!) {
  postStatsUpdated(postId: $postId) { viewCount upvoteCount commentCount }
}`;

export interface StatsData {
  postStatsUpdated: { viewCount: number; upvoteCount: number; commentCount: number };
}

const COMMENT_FIELDS = 'id body createdAt isDeleted moderationState author { byline } parent { id }';

export const WATCH_COMMENTS = `subscription LiveComments($postId: ID!, $after: String) {
  commentAdded(postId: $postId, after: $after) { cursor node { ${COMMENT_FIELDS} } }
}`;

/** Changes of comments already posted (an edit, a deletion, moderation), each the comment in its new state. */
export const WATCH_COMMENT_CHANGES = `subscription LiveCommentChanges($postId: ID!) {
  commentUpdated(postId: $postId) { ${COMMENT_FIELDS} }
}`;

export interface CommentNode {
  id: string;
  body: string;
  createdAt: string;
  isDeleted: boolean;
  /** HIDDEN or REMOVED: an anonymous viewer gets the comment without its text (and without its author once REMOVED). */
  moderationState: string;
  /** Null for a deleted account, and for a comment a moderator removed. */
  author: { byline: string } | null;
  parent: { id: string } | null;
}

export interface CommentsData {
  commentAdded: { cursor: string; node: CommentNode };
}

export interface CommentChangesData {
  commentUpdated: CommentNode;
}
