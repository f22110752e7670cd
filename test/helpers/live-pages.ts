/**
 * Driving the live pages (/live/...) in Chromium: a page with its WebSockets and their frames
 * recorded, bounded waits for what the page shows, and the GraphQL the tests write with.
 */
import type { Browser, BrowserContextOptions, Locator, Page, Response } from 'playwright-core';
import { CAST_VOTE, CREATE_POLL, typed } from './documents';
import { recordRequestsLeavingLocalhost } from './browser';
import { onDispose } from './leftovers';
import type { TestServer } from './server';

/**
 * The issue asks for a change on screen "within a second" of the write. This loaded 2-core
 * machine runs the server, Chromium and jest at once, so the tests allow a bounded 3 s: a page
 * that missed the update (or waits for a reload) still fails, without flaking on a busy moment.
 */
export const WITHIN_A_SECOND_ON_A_BUSY_MACHINE_MS = 3000;

/** One WebSocket the page opened, with every frame it received and sent (text frames, parsed). */
export interface RecordedSocket {
  url: string;
  received: unknown[];
  sent: unknown[];
  /** The socket closed (by either side). */
  closed: boolean;
}

export interface LivePage {
  page: Page;
  response: Response | null;
  sockets: RecordedSocket[];
  /** Requests to anything but localhost (must stay empty: the pages work offline). */
  leaving: ReturnType<typeof recordRequestsLeavingLocalhost>;
  /** Console errors and page errors (a CSP violation is one). */
  errors: string[];
}

function parsed(payload: string | Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return payload.toString();
  }
}

/** Opens `url` in a fresh browser context (closed by the dispose list), recording its sockets, frames and errors. */
export async function openLivePage(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<LivePage> {
  const context = await browser.newContext(options);
  onDispose(() => context.close());
  const page = await context.newPage();
  const sockets: RecordedSocket[] = [];
  const errors: string[] = [];
  const leaving = recordRequestsLeavingLocalhost(page);
  page.on('websocket', (socket) => {
    const recorded: RecordedSocket = { url: socket.url(), received: [], sent: [], closed: false };
    sockets.push(recorded);
    socket.on('close', () => (recorded.closed = true));
    socket.on('framereceived', ({ payload }) => recorded.received.push(parsed(payload)));
    socket.on('framesent', ({ payload }) => recorded.sent.push(parsed(payload)));
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const response = await page.goto(url);
  return { page, response, sockets, leaving, errors };
}

/** Retries `check` (jest expectations) until it passes, or fails with its last error after `timeoutMs`. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = WITHIN_A_SECOND_ON_A_BUSY_MACHINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** An option's bar, found as a screen reader finds it: a progressbar named by the option's label. */
export function barOf(scope: Page | Locator, label: string): Locator {
  return scope.getByRole('progressbar', { name: label, exact: true });
}

/** What a bar tells a screen reader: its value and its text. */
export async function barState(bar: Locator): Promise<{ now: string | null; text: string | null }> {
  return { now: await bar.getAttribute('aria-valuenow'), text: await bar.getAttribute('aria-valuetext') };
}

/** The `next` payloads of one operation among a socket's received frames. */
export function payloadsOf(socket: RecordedSocket, field: string): unknown[] {
  return socket.received
    .filter((frame): frame is { type: string; payload: { data?: Record<string, unknown> } } => (frame as { type?: string }).type === 'next')
    .map((frame) => frame.payload.data?.[field])
    .filter((data) => data !== undefined);
}

export interface Poll {
  id: string;
  options: Array<{ id: string; label: string }>;
}

export async function createPoll(
  t: TestServer,
  token: string,
  title: string,
  labels: string[],
  extra: { resultsVisibility?: 'ALWAYS' | 'ON_VOTE' | 'ON_CLOSE'; closesAt?: string } = {},
): Promise<Poll> {
  const response = await t.gql(CREATE_POLL, { input: { title, options: labels, allowsMultipleChoices: false, ...extra } }, token);
  if (!response.data) throw new Error(`createPoll failed: ${JSON.stringify(response.errors)}`);
  return response.data.createPoll.poll;
}

export async function vote(t: TestServer, token: string, poll: Poll, label: string): Promise<void> {
  const option = poll.options.find((candidate) => candidate.label === label)!;
  const response = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [option.id] } }, token);
  if (response.errors) throw new Error(`castVote failed: ${JSON.stringify(response.errors)}`);
}

export const ADD_COMMENT_WITH_ID = typed<{ addComment: { comment: { id: string } } }>(
  `mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`,
);
