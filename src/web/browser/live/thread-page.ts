/**
 * The thread page: the post's title and counters, and its comments as they are posted, newest
 * first. Four subscriptions on the page's one WebSocket: postUpdated (the title),
 * postStatsUpdated (views, upvotes, comments), commentAdded, and commentUpdated, which redraws a
 * shown comment when it is edited, hidden or removed by a moderator, or leaves the page once deleted.
 *
 * Comments, exactly once: commentAdded starts from the cursor the server put in the page
 * (data-after: the latest few comments are replayed, and nothing posted since the page loaded is
 * missed); every message moves `after` to its cursor, so a resubscription after a reconnect
 * replays exactly what came since. A comment already shown is never added again (ids), which
 * also holds if a replay and a live delivery ever overlapped.
 */
import type { Client } from 'graphql-ws';
import { keepSubscribed } from './connection';
import { el, formatDateTime, formatNumber, setText } from './dom';
import {
  CommentChangesData,
  CommentNode,
  CommentsData,
  PostUpdatedData,
  StatsData,
  ThreadPost,
  WATCH_COMMENT_CHANGES,
  WATCH_COMMENTS,
  WATCH_STATS,
  WATCH_THREAD,
} from './documents';

/** Comments kept on the page; older ones leave it (a wall screen runs for days). */
const MAX_SHOWN_COMMENTS = 100;

function statBlock(name: string): { block: HTMLElement; value: HTMLElement } {
  const value = el('dd', { class: 'stat-value' }, '–');
  return { block: el('div', { class: 'stat' }, el('dt', {}, name), value), value };
}

function commentItem(node: CommentNode): HTMLLIElement {
  const visible = node.moderationState === 'VISIBLE';
  const time = el('time', { datetime: node.createdAt }, formatDateTime(node.createdAt));
  // A removed comment comes without its author (null): that is not a deleted account, so no "Former member".
  const byline = node.author?.byline ?? (node.moderationState === 'REMOVED' ? null : 'Former member');
  const meta = el('p', { class: 'comment-meta' }, ...(byline ? [el('span', { class: 'byline' }, byline), ' · '] : []), time, node.parent ? ' · reply' : '');
  // Moderated text never reaches an anonymous viewer (body ""): say why the comment is empty.
  const body = visible
    ? el('p', { class: 'comment-body' }, node.body)
    : el('p', { class: 'comment-body moderated' }, MODERATED_NOTES[node.moderationState] ?? MODERATED_NOTES.HIDDEN);
  return el('li', { class: node.parent ? 'comment reply' : 'comment', 'data-comment-id': node.id }, meta, body);
}

const MODERATED_NOTES: Record<string, string> = { HIDDEN: 'Hidden by a moderator.', REMOVED: 'Removed by a moderator.' };

/** A comment shown on the page in its new state: redrawn when what it shows changed (not for an upvote), gone once deleted. */
function redrawComment(comments: HTMLElement, node: CommentNode): void {
  const shown = [...comments.children].find((item) => item instanceof HTMLElement && item.dataset.commentId === node.id);
  if (!shown) return;
  if (node.isDeleted) return shown.remove();
  const next = commentItem(node);
  if (next.outerHTML !== shown.outerHTML) shown.replaceWith(next);
}

export function startThreadPage(client: Client, main: HTMLElement, postId: string, startAfter: string | null): void {
  const title = el('h1', { class: 'thread-title' });
  const views = statBlock('Views');
  const upvotes = statBlock('Upvotes');
  const commentCount = statBlock('Comments');
  const comments = el('ol', { class: 'comments', 'aria-label': 'Comments, newest first' });
  const empty = el('p', { class: 'empty-note' }, 'New comments appear here as they are posted.');
  main.replaceChildren(
    title,
    el('dl', { class: 'stats' }, views.block, upvotes.block, commentCount.block),
    el('h2', { class: 'comments-heading' }, 'Comments'),
    empty,
    comments,
  );

  const gone = () =>
    main.replaceChildren(
      el('h1', { class: 'thread-title' }, title.textContent || 'Post'),
      el('p', { class: 'gone-note' }, 'This post is no longer available.'),
    );

  keepSubscribed<PostUpdatedData<ThreadPost>>(client, WATCH_THREAD, () => ({ postId }), {
    next: ({ postUpdated }) => {
      if (!postUpdated.post) return false;
      setText(title, postUpdated.post.title);
      document.title = postUpdated.post.title;
      main.removeAttribute('aria-busy');
    },
    gone,
  });
  keepSubscribed<StatsData>(client, WATCH_STATS, () => ({ postId }), {
    next: ({ postStatsUpdated: stats }) => {
      setText(views.value, formatNumber(stats.viewCount));
      setText(upvotes.value, formatNumber(stats.upvoteCount));
      setText(commentCount.value, formatNumber(stats.commentCount));
    },
    gone,
  });

  let after = startAfter;
  const shown = new Set<string>();
  keepSubscribed<CommentsData>(client, WATCH_COMMENTS, () => ({ postId, after }), {
    next: ({ commentAdded: edge }) => {
      after = edge.cursor;
      // A comment deleted before it reached us has nothing to show (its replies still come).
      if (shown.has(edge.node.id) || edge.node.isDeleted) return;
      shown.add(edge.node.id);
      comments.prepend(commentItem(edge.node));
      empty.hidden = true;
      while (comments.children.length > MAX_SHOWN_COMMENTS) comments.lastElementChild?.remove();
    },
    gone,
  });
  keepSubscribed<CommentChangesData>(client, WATCH_COMMENT_CHANGES, () => ({ postId }), {
    next: ({ commentUpdated }) => redrawComment(comments, commentUpdated),
    gone,
  });
}
