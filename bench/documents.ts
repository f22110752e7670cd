/**
 * The GraphQL documents the benchmark sends, written against schema/schema.graphql.
 * THREAD_PAGE is the page of issue #12 (README's thread page with 20 comments): the post, its
 * counters, the first 20 comments with bylines, reply counts and 3 replies each, the viewer's
 * flags, and 3 recommendations with poll results.
 */
export const THREAD_PAGE = `query ThreadPage($id: ID!) {
  post(id: $id) {
    id title createdAt viewCount upvoteCount commentCount viewerHasUpvoted
    author { byline }
    topics { slug name }
    ... on Thread { body }
    comments(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id body createdAt upvoteCount viewerHasUpvoted replyCount
        author { byline }
        replies(first: 3) { nodes { id body author { byline } } }
      } }
    }
  }
  recommendedPosts(relatedTo: $id, first: 3) {
    id title viewCount commentCount
    ... on Poll { results { participantCount options { label percentage } } }
  }
}`;

export const TYPENAME = '{ __typename }';
export const HELLO = '{ hello }';

export const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token member { id } } }`;

export const CREATE_POLL = `mutation ($input: CreatePollInput!) { createPoll(input: $input) { poll { id options { id } } } }`;

export const CREATE_THREAD = `mutation ($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`;

export const ADD_COMMENT = `mutation ($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`;

export const CAST_VOTE = `mutation ($input: CastVoteInput!) { castVote(input: $input) { poll { id } } }`;

export const POLL_RESULTS = `query ($id: ID!) {
  node(id: $id) { ... on Poll { results { version participantCount totalVotes options { optionId voteCount } } } }
}`;

export const OLDEST_COMMENTS = `query ($id: ID!) { post(id: $id) { comments(first: 5, orderBy: OLDEST) { edges { cursor } } } }`;

/** What a poll dashboard watches. */
export const POLL_RESULTS_UPDATED = `subscription ($id: ID!) {
  pollResultsUpdated(pollId: $id) { id version isClosed isHidden participantCount totalVotes options { optionId label voteCount percentage } }
}`;

/** What an open thread page watches for new comments. */
export const COMMENT_ADDED = `subscription ($id: ID!, $after: String) {
  commentAdded(postId: $id, after: $after) { cursor node { id body createdAt replyCount author { byline } } }
}`;
