/**
 * The poll page (one card, large) and the dashboard (a grid of cards): each card follows its
 * poll with two subscriptions, postUpdated (question, closing time, visibility) and
 * pollResultsUpdated (tallies), all on the page's one WebSocket.
 */
import type { Client } from 'graphql-ws';
import { keepSubscribed } from './connection';
import { el } from './dom';
import { PollPost, PostUpdatedData, ResultsData, WATCH_POLL, WATCH_RESULTS } from './documents';
import { PollCard } from './poll-card';

function followPoll(client: Client, pollId: string, card: PollCard, onTitle: (title: string) => void = () => undefined): void {
  keepSubscribed<PostUpdatedData<PollPost>>(client, WATCH_POLL, () => ({ postId: pollId }), {
    next: ({ postUpdated }) => {
      if (!postUpdated.post) return false;
      card.showPost(postUpdated.post);
      onTitle(postUpdated.post.title);
    },
    gone: () => card.showGone(),
  });
  keepSubscribed<ResultsData>(client, WATCH_RESULTS, () => ({ pollId }), {
    next: ({ pollResultsUpdated }, first) => card.showResults(pollResultsUpdated, first),
    gone: () => card.showGone(),
  });
}

export function startPollPage(client: Client, main: HTMLElement, pollId: string): void {
  const card = new PollCard('h1');
  main.replaceChildren(card.element);
  // The tab (and a window list on the wall's computer) names the question.
  followPoll(client, pollId, card, (title) => (document.title = title));
}

/**
 * Columns and rows for `count` cards on a landscape screen, the cards as close to the screen's
 * shape as the count allows: 1, 2 or 3 side by side, 4 as 2 x 2, up to 6 as 3 x 2, 7 and 8 as
 * 4 x 2, 9 as 3 x 3, 10 to 12 as 4 x 3.
 */
export function gridShape(count: number): { columns: number; rows: number } {
  const columns = count <= 3 ? count : count === 4 ? 2 : count <= 6 ? 3 : count <= 8 ? 4 : count === 9 ? 3 : 4;
  return { columns: Math.max(1, columns), rows: Math.max(1, Math.ceil(count / columns)) };
}

export function startDashboard(client: Client, main: HTMLElement, pollIds: readonly string[]): void {
  const grid = el('div', { class: 'dashboard-grid', 'data-count': pollIds.length });
  const { columns, rows } = gridShape(pollIds.length);
  // CSSOM, not a style attribute (the CSP allows none): live.css lays the cards out from these.
  grid.style.setProperty('--columns', String(columns));
  grid.style.setProperty('--grid-rows', String(rows));
  main.replaceChildren(el('h1', { class: 'visually-hidden' }, 'Live polls'), grid);
  for (const pollId of pollIds) {
    const card = new PollCard('h2');
    grid.append(card.element);
    followPoll(client, pollId, card);
  }
}
