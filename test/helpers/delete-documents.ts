/**
 * The documents of the deletion, account-deletion and member-history suites (authoring part of the
 * API: deletePost, deleteAccount, Member.posts and Member.comments), typed as ./documents are.
 */
import { typed } from './documents';

type Id = { id: string };

export const DELETE_POST = typed<{ deletePost: { deletedPostId: string } | null }>(
  `mutation DeletePost($input: DeletePostInput!) { deletePost(input: $input) { deletedPostId } }`,
);

export const DELETE_ACCOUNT = typed<{ deleteAccount: { deletedMemberId: string } | null }>(
  `mutation DeleteAccount($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedMemberId } }`,
);

export const LOG_IN = typed<{ logIn: { token: string; member: Id } | null }>(
  `mutation LogIn($input: LogInInput!) { logIn(input: $input) { token member { id } } }`,
);

/** Every field a Member shows, as the stand-in of a deleted account must show them. */
export interface MemberProfile {
  id: string;
  isFormerMember: boolean;
  title: string;
  industry: string | null;
  companySize: string;
  joinedAt: string;
  byline: string;
}
export const MEMBER_PROFILE_FIELDS = `id isFormerMember title industry companySize joinedAt byline`;

export const VIEWER = typed<{ viewer: MemberProfile | null }>(`{ viewer { ${MEMBER_PROFILE_FIELDS} } }`);

export const NODE_MEMBER = typed<{ node: MemberProfile | null }>(`query NodeMember($id: ID!) { node(id: $id) { ... on Member { ${MEMBER_PROFILE_FIELDS} } } }`);

/** Any node by id, only its type and id: null when it names nothing (a deleted post and what hangs off it). */
export const NODE = typed<{ node: { __typename: string; id: string } | null }>(`query Node($id: ID!) { node(id: $id) { __typename id } }`);

export const POST = typed<{ post: { id: string } | null }>(`query Post($id: ID!) { post(id: $id) { id } }`);

/** A page of a member's own list (Member.posts or Member.comments). */
export interface HistoryPage {
  totalCount: number;
  edges: Array<{ cursor: string; node: Id }>;
  nodes: Id[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
const PAGE_FIELDS = `totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

export const MEMBER_POSTS = typed<{ node: { posts: HistoryPage } | null }>(
  `query MemberPosts($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Member { posts(first: $first, after: $after) { ${PAGE_FIELDS} } } } }`,
);
export const MEMBER_COMMENTS = typed<{ node: { comments: HistoryPage } | null }>(
  `query MemberComments($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Member { comments(first: $first, after: $after) { ${PAGE_FIELDS} } } } }`,
);
export const VIEWER_HISTORY = typed<{ viewer: { posts: HistoryPage; comments: HistoryPage } | null }>(
  `query ViewerHistory($first: Int) { viewer { posts(first: $first) { ${PAGE_FIELDS} } comments(first: $first) { ${PAGE_FIELDS} } } }`,
);

export const EDIT_COMMENT = typed<{ editComment: { comment: Id } | null }>(
  `mutation EditComment($input: EditCommentInput!) { editComment(input: $input) { comment { id } } }`,
);

export interface PostsPage {
  posts: { totalCount: number; nodes: Id[] };
}
export const POSTS = typed<PostsPage>(
  `query Posts($first: Int, $orderBy: PostOrder, $kind: PostKind, $topicSlug: String, $search: String) {
    posts(first: $first, orderBy: $orderBy, kind: $kind, topicSlug: $topicSlug, search: $search) { totalCount nodes { id } }
  }`,
);

export const TOPICS = typed<{ topics: Array<{ slug: string; postCount: number }> }>(`{ topics { slug postCount } }`);
export const TOPIC = typed<{ topic: { slug: string; postCount: number } | null }>(`query Topic($slug: String!) { topic(slug: $slug) { slug postCount } }`);

export const RECOMMENDED = typed<{ recommendedPosts: Id[] | null }>(
  `query Recommended($relatedTo: ID, $first: Int) { recommendedPosts(relatedTo: $relatedTo, first: $first) { id } }`,
);

/** A post's counters and its author, as readers see them. */
export interface PostCounters {
  id: string;
  upvoteCount: number;
  viewCount: number;
  commentCount: number;
  author: MemberProfile;
}
export const POST_COUNTERS = typed<{ post: PostCounters | null }>(
  `query PostCounters($id: ID!) { post(id: $id) { id upvoteCount viewCount commentCount author { ${MEMBER_PROFILE_FIELDS} } } }`,
);

export const COMMENT_AUTHOR = typed<{ node: { id: string; upvoteCount: number; author: MemberProfile | null } | null }>(
  `query CommentAuthor($id: ID!) { node(id: $id) { ... on Comment { id upvoteCount author { ${MEMBER_PROFILE_FIELDS} } } } }`,
);

export const POLL_TALLIES = typed<{ post: { results: { participantCount: number; totalVotes: number | null } } | null }>(
  `query PollTallies($id: ID!) { post(id: $id) { ... on Poll { results { participantCount totalVotes } } } }`,
);
