/**
 * The tabs the IDE opens with: the README's example operations ("Using the API" and "Live API"),
 * kept here once so that the IDE and the manual stay in step. Several operations in one tab must
 * each have a name (GraphiQL runs the one under the cursor, or asks which). test/ide.test.ts
 * checks every tab against the schema, so a renamed field breaks the build, not the IDE.
 *
 * No DOM here: the test imports this module under Node.
 */

/** What one tab starts with (GraphiQL's TabDefinition, without depending on its types here). */
export interface ExampleTab {
  query: string;
  /** JSON text of the variables editor. */
  variables?: string;
}

/**
 * The headers editor's starting text: where the bearer token goes. The IDE sends no Authorization
 * header while it still reads `Bearer <token>` (see ./fetcher.ts), so the examples run anonymously
 * until a real token replaces the placeholder.
 */
export const TOKEN_PLACEHOLDER = 'Bearer <token>';
export const DEFAULT_HEADERS = `{"Authorization": "${TOKEN_PLACEHOLDER}"}`;

const SIGN_IN = `# Sign in: run LogIn (the demo account, loaded with the demo community), copy
# its token into Headers below as {"Authorization": "Bearer <the token>"},
# then run Viewer: it answers as the signed-in member. The token also signs
# in the subscriptions (connection_init) of every tab that carries it.
mutation LogIn {
  logIn(input: { email: "demo@peer-community.example", password: "demo-password-2026" }) {
    token
    member { byline }
  }
}

query Viewer {
  viewer { byline }
}

mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token member { id byline } }
}
`;

const SIGN_UP_VARIABLES = {
  input: { email: 'pat@example.com', password: 'a long passphrase', title: 'Director of IT', industry: 'Software', companySize: 'EMPLOYEES_201_TO_500' },
};

const THREAD_PAGE = `# A thread page in one request: the post, its first comments with bylines,
# replies and upvotes, and the "Content you might like" box.
query ThreadPage($id: ID!) {
  post(id: $id) {
    id title createdAt viewCount upvoteCount commentCount viewerHasUpvoted
    author { byline }
    topics { slug name }
    ... on Thread { body }
    comments(first: 10) {
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
}

# Lists and the next page (pass a page's endCursor as \`after\`).
query Posts {
  posts(first: 20, orderBy: TRENDING, kind: POLL, topicSlug: "remote-work", search: "office policy") {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title } }
  }
}
`;

const POLLS = `# Polls. closesAt must be in the future; leave it out for a poll that stays open.
# CastVote needs a signed-in member (Headers) and the ids CreatePoll returned.
mutation CreatePoll {
  createPoll(input: { title: "Which cloud do you run most on?",
    options: ["AWS", "Azure", "Google Cloud", "On premises"], allowsMultipleChoices: false,
    closesAt: "2099-12-31T17:00:00Z", resultsVisibility: ON_VOTE, topics: ["Cloud"] }) {
    poll { id options { id label } }
  }
}

mutation CastVote {
  castVote(input: { pollId: "<poll id>", optionIds: ["<option id>"] }) {
    poll { viewerChoices results { version participantCount totalVotes isHidden options { label voteCount percentage } } }
  }
}
`;

const COMMENTS = `# Comments, replies, upvotes, views (signed in; replace the <ids>).
mutation AddComment {
  addComment(input: { postId: "<post id>", body: "First paragraph.\\n\\nSecond one." }) {
    comment { id } commentEdge { cursor }
  }
}

mutation AddReply {
  addComment(input: { postId: "<post id>", parentId: "<comment id>", body: "A reply" }) { comment { id parent { id } } }
}

mutation AddUpvote {
  addUpvote(input: { subjectId: "<post or comment id>" }) { subject { id upvoteCount viewerHasUpvoted } }
}

mutation RecordView {
  recordView(input: { postId: "<post id>" }) { post { viewCount } }
}
`;

const EDITING = `# Editing: only the author edits. Start a thread of your own (signed in),
# then edit it and read its revisions with the id CreateThread returned.
mutation CreateThread {
  createThread(input: { title: "How do you rotate on-call?", body: "Weekly or daily?", topics: ["Incident response"] }) {
    thread { id }
  }
}

mutation EditThread($input: EditThreadInput!) {
  editThread(input: $input) { thread { title editedAt topics { slug } } }
}

query Revisions($id: ID!) {
  post(id: $id) {
    editedAt viewerCanEdit
    revisions(first: 5) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id number createdAt title body optionLabels editor { byline } } }
    }
  }
}
`;

const EDITING_VARIABLES = { input: { threadId: '<thread id>', title: 'A clearer title', topics: ['Remote Work'] }, id: '<thread id>' };

const SUBSCRIPTIONS = `# The live API: subscriptions run over the WebSocket (graphql-ws) on the
# same URL. Put a poll's or post's id in Variables, run one, and watch the
# response pane change as others vote, upvote and comment.

# The current results at once, then the latest after every change
# (vote, change, retraction, close, automatic close at closesAt).
subscription PollResults($pollId: ID!) {
  pollResultsUpdated(pollId: $pollId) { id version participantCount totalVotes isHidden isClosed options { optionId voteCount percentage } }
}

# The current counters at once, then after every change of views, upvotes or comments.
subscription PostStats($postId: ID!) {
  postStatsUpdated(postId: $postId) { id viewCount upvoteCount commentCount }
}

# Every new comment or reply, each once, in commit order. With \`after\` (the
# cursor of the last edge you have), what you missed is replayed first.
subscription CommentAdded($postId: ID!, $after: String) {
  commentAdded(postId: $postId, after: $after) {
    cursor node { id body createdAt author { byline } parent { id } viewerHasUpvoted }
  }
}

# The post itself: its current state at once, then the latest after every change.
subscription PostUpdated($postId: ID!) {
  postUpdated(postId: $postId) {
    postId
    post { id title editedAt topics { name } ... on Thread { body } ... on Poll { description isClosed options { label } } }
  }
}

# The post's existing comments and replies, each time one changes. Nothing at first.
subscription CommentUpdated($postId: ID!) {
  commentUpdated(postId: $postId) { id body editedAt isDeleted upvoteCount viewerHasUpvoted author { byline } }
}

# A poll's results by industry or company size, small groups suppressed: the
# current breakdown at once, then the latest after every change of its version.
subscription PollBreakdown($pollId: ID!) {
  pollBreakdownUpdated(pollId: $pollId, by: INDUSTRY) { version publishedParticipantCount groups { label participantCount } other { participantCount } }
}
`;

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const EXAMPLE_TABS: readonly ExampleTab[] = [
  { query: SIGN_IN, variables: json(SIGN_UP_VARIABLES) },
  { query: THREAD_PAGE, variables: json({ id: '<post id>' }) },
  { query: POLLS },
  { query: COMMENTS },
  { query: EDITING, variables: json(EDITING_VARIABLES) },
  { query: SUBSCRIPTIONS, variables: json({ pollId: '<poll id>', postId: '<post id>' }) },
];
