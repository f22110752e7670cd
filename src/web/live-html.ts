/**
 * The HTML of the live pages: a small shell the bundled script (src/web/browser/live) fills in,
 * and the error pages. The server interpolates only what it has checked itself (global ids it
 * decoded, fixed texts), and escapes even that: the question, labels and comments are read by the
 * script over the WebSocket and written with textContent, never as HTML.
 */

/** Where the live pages' bundle is served (src/web/live-pages.ts). */
export const LIVE_ASSETS_PATH = '/live/assets';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

/** Which page the script draws, with the ids it needs (already checked by the server). */
export type LivePage = { kind: 'poll'; pollId: string } | { kind: 'dashboard'; pollIds: readonly string[] } | { kind: 'thread'; postId: string; after: string };

export interface ShellOptions {
  /** ?embed=1: no header or footer, for an iframe. */
  embed: boolean;
}

interface DocumentOptions extends ShellOptions {
  script: boolean;
  /** The poll page and the dashboard fill the screen and never scroll (live.css: body.fit). */
  fit?: boolean;
  /** Reload by itself after this many seconds (the 503 page: the database is back soon). */
  refreshSeconds?: number;
}

function document(title: string, body: string, options: DocumentOptions): string {
  const script = options.script ? `\n<script type="module" src="${LIVE_ASSETS_PATH}/main.js"></script>` : '';
  const header = options.embed ? '' : `<header class="chrome"><span class="brand">Peer community</span> <span class="chrome-note">Live</span></header>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">${options.refreshSeconds ? `\n<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${LIVE_ASSETS_PATH}/main.css">${script}
</head>
<body class="${options.embed ? 'embed' : 'full'}${options.fit ? ' fit' : ''}">
${header}${body}
</body>
</html>
`;
}

function dataAttributes(page: LivePage): string {
  switch (page.kind) {
    case 'poll':
      return `data-page="poll" data-poll-id="${escapeHtml(page.pollId)}"`;
    case 'dashboard':
      return `data-page="dashboard" data-poll-ids="${escapeHtml(page.pollIds.join(','))}"`;
    case 'thread':
      return `data-page="thread" data-post-id="${escapeHtml(page.postId)}" data-after="${escapeHtml(page.after)}"`;
  }
}

const TITLES: Record<LivePage['kind'], string> = { poll: 'Live poll', dashboard: 'Live dashboard', thread: 'Live thread' };

/**
 * A live page before its script runs: the `main` element carries the ids; the status line says
 * "Connecting" until the first message arrives (and "Reconnecting" whenever the socket is down).
 */
export function livePageHtml(page: LivePage, options: ShellOptions): string {
  const body = `<main id="live" class="live live-${page.kind}" ${dataAttributes(page)} aria-busy="true">
<p class="loading">Connecting…</p>
</main>
<p id="connection" class="connection" role="status" aria-live="polite" hidden></p>`;
  return document(TITLES[page.kind], body, { ...options, script: true, fit: page.kind !== 'thread' });
}

/** A clear page for a request the live pages cannot answer (unknown id, bad dashboard list). */
export function errorPageHtml(heading: string, detail: string, options: ShellOptions & { refreshSeconds?: number }): string {
  const body = `<main class="live live-error">
<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(detail)}</p>
</main>`;
  return document(heading, body, { ...options, script: false });
}
