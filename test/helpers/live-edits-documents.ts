/**
 * Documents of the live edits tests (postUpdated, commentUpdated, and the
 * mutations that drive them), typed like ./documents.
 */
import { typed } from './documents';

/** What postUpdated's tests select of a post: its text, a viewer flag, topics and (polls) the closed flag. */
export interface WatchedPost {
  __typename: 'Thread' | 'Poll';
  id: string;
  title: string;
  body?: string;
  description?: string | null;
  isClosed?: boolean;
  options?: Array<{ label: string }>;
  topics: Array<{ name: string }>;
  upvoteCount: number;
  viewerHasUpvoted: boolean;
}

export interface PostUpdatedMessage {
  postUpdated: { postId: string; post: WatchedPost | null };
}

export const WATCH_POST = typed<PostUpdatedMessage>(`
  subscription WatchPost($id: ID!) {
    postUpdated(postId: $id) {
      postId
      post {
        __typename id title upvoteCount viewerHasUpvoted topics { name }
        ... on Thread { body }
        ... on Poll { description isClosed options { label } }
      }
    }
  }`);

/** What commentUpdated's tests select of a comment. */
export interface WatchedComment {
  id: string;
  body: string;
  isDeleted: boolean;
  upvoteCount: number;
  viewerHasUpvoted: boolean;
  author: { id: string } | null;
}

export interface CommentUpdatedMessage {
  commentUpdated: WatchedComment;
}

export const WATCH_COMMENT_CHANGES = typed<CommentUpdatedMessage>(`
  subscription WatchCommentChanges($id: ID!) {
    commentUpdated(postId: $id) { id body isDeleted upvoteCount viewerHasUpvoted author { id } }
  }`);

export const LOG_IN = typed<{ logIn: { token: string } }>(`mutation LogIn($input: LogInInput!) { logIn(input: $input) { token } }`);

export const CHANGE_PASSWORD = typed<{ changePassword: { member: { id: string }; revokedTokenCount: number } }>(
  `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) { member { id } revokedTokenCount } }`,
);

// --- the mutations of branches `edit` and `delete` (test/live-edits-after-merge.test.ts) ---

export const EDIT_THREAD = typed<{ editThread: { thread: { id: string; title: string } } }>(
  `mutation EditThread($input: EditThreadInput!) { editThread(input: $input) { thread { id title } } }`,
);
export const EDIT_POLL = typed<{ editPoll: { poll: { id: string; title: string } } }>(
  `mutation EditPoll($input: EditPollInput!) { editPoll(input: $input) { poll { id title } } }`,
);
export const EDIT_COMMENT = typed<{ editComment: { comment: { id: string; body: string } } }>(
  `mutation EditComment($input: EditCommentInput!) { editComment(input: $input) { comment { id body } } }`,
);
export const DELETE_POST = typed<{ deletePost: { deletedPostId: string } }>(
  `mutation DeletePost($input: DeletePostInput!) { deletePost(input: $input) { deletedPostId } }`,
);
