/**
 * The GraphQL documents the test files share, each typed with the shape of
 * its result (graphql-codegen's TypedDocumentNode, written by hand: a
 * `Document<Result>` is the query text carrying its result type), so that
 * `t.gql(CREATE_POLL, ...)` answers a `GraphQLResponse<CreatePollResult>`
 * and `collect(client, WATCH_RESULTS, ...)` collects typed messages.
 *
 * Selections stay small: a test that asserts on more fields of a result
 * keeps its own document, named after what it selects.
 */

declare const resultType: unique symbol;

/** A GraphQL document whose response `data` has the shape `Result`. */
export type Document<Result> = string & { readonly [resultType]: Result };

/** Marks `text` as a document answering `Result` (the type is not checked against the schema: keep them in step). */
export function typed<Result>(text: string): Document<Result> {
  return text as Document<Result>;
}

/** The database id inside a global id (base64url "<Type>:<id>", e.g. "Poll:12" -> 12). */
export function dbId(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]);
}

type Id = { id: string };

// --- members --------------------------------------------------------------

export interface SignUpResult {
  signUp: { token: string; member: { id: string; byline: string } };
}
export const SIGN_UP = typed<SignUpResult>(`mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token member { id byline } } }`);

// --- threads, comments, upvotes, views -------------------------------------

export interface CreateThreadResult {
  createThread: { thread: Id };
}
export const CREATE_THREAD = typed<CreateThreadResult>(`mutation CreateThread($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`);

export interface AddCommentResult {
  addComment: { comment: Id; commentEdge: { cursor: string } };
}
export const ADD_COMMENT = typed<AddCommentResult>(
  `mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { comment { id } commentEdge { cursor } } }`,
);

export interface DeleteCommentResult {
  deleteComment: { comment: Id };
}
export const DELETE_COMMENT = typed<DeleteCommentResult>(
  `mutation DeleteComment($input: DeleteCommentInput!) { deleteComment(input: $input) { comment { id } } }`,
);

type Upvoted = { subject: { id: string; upvoteCount: number } };
export const ADD_UPVOTE = typed<{ addUpvote: Upvoted }>(
  `mutation AddUpvote($input: AddUpvoteInput!) { addUpvote(input: $input) { subject { id upvoteCount } } }`,
);
export const REMOVE_UPVOTE = typed<{ removeUpvote: Upvoted }>(
  `mutation RemoveUpvote($input: RemoveUpvoteInput!) { removeUpvote(input: $input) { subject { id upvoteCount } } }`,
);

export interface RecordViewResult {
  recordView: { post: { id: string; viewCount: number } };
}
export const RECORD_VIEW = typed<RecordViewResult>(`mutation RecordView($input: RecordViewInput!) { recordView(input: $input) { post { id viewCount } } }`);

// --- polls -------------------------------------------------------------------

export interface CreatePollResult {
  createPoll: { poll: { id: string; options: Array<{ id: string; label: string }> } };
}
export const CREATE_POLL = typed<CreatePollResult>(
  `mutation CreatePoll($input: CreatePollInput!) { createPoll(input: $input) { poll { id options { id label } } } }`,
);

export const CAST_VOTE = typed<{ castVote: { poll: Id } }>(`mutation CastVote($input: CastVoteInput!) { castVote(input: $input) { poll { id } } }`);
export const RETRACT_VOTE = typed<{ retractVote: { poll: Id } }>(
  `mutation RetractVote($input: RetractVoteInput!) { retractVote(input: $input) { poll { id } } }`,
);
export const CLOSE_POLL = typed<{ closePoll: { poll: Id } }>(`mutation ClosePoll($input: ClosePollInput!) { closePoll(input: $input) { poll { id } } }`);

// --- live results and stats (the subscription payload and the same object read over HTTP) ---

/** Every field of PollResults. */
export const RESULTS_FIELDS = `id pollId participantCount totalVotes isClosed isHidden options { optionId label voteCount percentage } version updatedAt`;
/** Every field of PostStats. */
export const STATS_FIELDS = `id postId viewCount upvoteCount commentCount`;

/** PollResults as RESULTS_FIELDS selects it. */
export interface PollResultsMessage {
  id: string;
  pollId: string;
  participantCount: number;
  totalVotes: number | null;
  isClosed: boolean;
  isHidden: boolean;
  options: Array<{ optionId: string; label: string; voteCount: number | null; percentage: number | null }>;
  version: number;
  updatedAt: string;
}

/** PostStats as STATS_FIELDS selects it. */
export interface PostStatsMessage {
  id: string;
  postId: string;
  viewCount: number;
  upvoteCount: number;
  commentCount: number;
}

export const WATCH_RESULTS = typed<{ pollResultsUpdated: PollResultsMessage }>(
  `subscription WatchResults($id: ID!) { pollResultsUpdated(pollId: $id) { ${RESULTS_FIELDS} } }`,
);
export const WATCH_STATS = typed<{ postStatsUpdated: PostStatsMessage }>(
  `subscription WatchStats($id: ID!) { postStatsUpdated(postId: $id) { ${STATS_FIELDS} } }`,
);
export const READ_RESULTS = typed<{ post: { results: PollResultsMessage } | null }>(
  `query ReadResults($id: ID!) { post(id: $id) { ... on Poll { results { ${RESULTS_FIELDS} } } } }`,
);
export const READ_STATS = typed<{ post: { stats: PostStatsMessage } | null }>(`query ReadStats($id: ID!) { post(id: $id) { stats { ${STATS_FIELDS} } } }`);
