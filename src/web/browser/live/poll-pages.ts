/**
 * The poll page (one card, large) and the dashboard (a grid of cards): each card follows its
 * poll with two subscriptions, postUpdated (question, closing time, visibility) and
 * pollResultsUpdated (tallies), all on the page's one WebSocket.
 */
import type { Client } from 'graphql-ws';
import { keepSubscribed } from './connection';
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

export function startDashboard(client: Client, main: HTMLElement, pollIds: readonly string[]): void {
  const grid = document.createElement('div');
  grid.className = 'dashboard-grid';
  grid.dataset.count = String(pollIds.length);
  main.replaceChildren(grid);
  for (const pollId of pollIds) {
    const card = new PollCard('h2');
    grid.append(card.element);
    followPoll(client, pollId, card);
  }
}
