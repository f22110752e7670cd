/**
 * The live pages' one script (src/web/live-pages.ts serves it at /live/assets/main.js): reads
 * which page this is from the server's `main#live` data attributes, opens the page's one
 * WebSocket and draws the page.
 */
import './live.css';
import { openLiveConnection } from './connection';
import { startDashboard, startPollPage } from './poll-pages';
import { startThreadPage } from './thread-page';

function start(): void {
  const main = document.getElementById('live');
  const status = document.getElementById('connection');
  if (!main || !status) return;
  const client = openLiveConnection(status);
  const { page, pollId, pollIds, postId, after } = main.dataset;
  if (page === 'poll' && pollId) startPollPage(client, main, pollId);
  else if (page === 'dashboard' && pollIds) startDashboard(client, main, pollIds.split(','));
  else if (page === 'thread' && postId) startThreadPage(client, main, postId, after ?? null);
}

start();
