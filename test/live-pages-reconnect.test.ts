/**
 * The live pages when the connection drops: the server is stopped and started again on the same
 * port and database (as a deploy or a crash and restart does), and the open pages say they are
 * reconnecting, come back by themselves, and redraw from fresh data. The thread page shows a new
 * comment within a second, and after the reconnect resumes commentAdded with `after`: what was
 * posted meanwhile appears, and nothing appears twice.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeWithBrowser, launchBrowser } from './helpers/browser';
import { CREATE_THREAD } from './helpers/documents';
import { temporaryDirectory } from './helpers/leftovers';
import { ADD_COMMENT_WITH_ID, barOf, barState, createPoll, eventually, openLivePage, RecordedSocket, vote } from './helpers/live-pages';
import { freshPostgresDatabase } from './helpers/scale';
import { startTestServer, TestServer } from './helpers/server';

const SUITE = 'live pages, reconnecting';

/** A database that outlives its server: a SQLite file, or a PostgreSQL database when the suite runs on PostgreSQL. */
async function lastingDatabase(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return (await freshPostgresDatabase()).url;
  return `sqlite:${path.join(temporaryDirectory('live-pages-'), 'live.sqlite')}`;
}

/** The discreet notice, while the page is disconnected. */
function connectionNotice(page: Page) {
  return page.locator('#connection');
}

/** The `after` variable of every commentAdded subscribe a socket sent. */
function commentAddedAfters(socket: RecordedSocket): unknown[] {
  return socket.sent
    .filter((frame) => (frame as { type?: string }).type === 'subscribe')
    .map((frame) => (frame as { payload: { query: string; variables: Record<string, unknown> } }).payload)
    .filter((payload) => payload.query.includes('commentAdded'))
    .map((payload) => payload.variables.after);
}

describeWithBrowser(SUITE)(SUITE, () => {
  let database: string;
  let t: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [database, browser] = await Promise.all([lastingDatabase(), launchBrowser()]);
    t = await startTestServer({ database });
  });

  /** Stops the server; `whileDown` runs while nothing listens; then a new server on the same port and database. */
  async function restart(whileDown: () => Promise<void>): Promise<void> {
    const port = t.server.port;
    await t.stop();
    await whileDown();
    t = await startTestServer({ database, env: { PORT: String(port) } });
  }

  it('the poll page says it is reconnecting while the server is down, then recovers and follows the poll again', async () => {
    const author = await t.signUp();
    const voters = [await t.signUp(), await t.signUp()];
    const poll = await createPoll(t, author.token, 'Does the page come back?', ['Yes', 'No']);
    const live = await openLivePage(browser, `${t.baseUrl}/live/polls/${poll.id}`);
    const { page } = live;
    await eventually(async () => expect(await barState(barOf(page, 'Yes'))).toEqual({ now: '0', text: '0%, 0 votes' }));
    expect(await connectionNotice(page).isHidden()).toBe(true);

    await restart(async () => {
      await connectionNotice(page).waitFor({ state: 'visible', timeout: 5000 });
      expect(await connectionNotice(page).textContent()).toMatch(/reconnecting/i);
    });
    // Retries wait at most 5 s; one full wait after the server is back is the bound.
    await connectionNotice(page).waitFor({ state: 'hidden', timeout: 8000 });

    await vote(t, voters[0].token, poll, 'Yes');
    await eventually(async () => expect(await barState(barOf(page, 'Yes'))).toEqual({ now: '100', text: '100%, 1 vote' }));
    await vote(t, voters[1].token, poll, 'No');
    await eventually(async () => expect(await barState(barOf(page, 'No'))).toEqual({ now: '50', text: '50%, 1 vote' }));
    expect(live.sockets.length).toBeGreaterThanOrEqual(2);
    expect(live.errors.filter((error) => !/WebSocket/.test(error))).toEqual([]);
  }, 30_000);

  it('the thread page shows a new comment within a second, and after a reconnect what was posted meanwhile, nothing twice', async () => {
    const member = await t.signUp();
    const created = await t.gql(CREATE_THREAD, { input: { title: 'Live thread', body: 'Comments below' } }, member.token);
    const postId = created.data!.createThread.thread.id;
    const comment = async (body: string) => {
      const response = await t.gql(ADD_COMMENT_WITH_ID, { input: { postId, body } }, member.token);
      if (!response.data) throw new Error(`addComment failed: ${JSON.stringify(response.errors)}`);
      return response.data.addComment.comment.id;
    };
    const ids = [await comment('Posted before the page opened')];

    const live = await openLivePage(browser, `${t.baseUrl}/live/posts/${postId}`);
    const { page } = live;
    const shownIds = () => page.locator('.comment').evaluateAll((items) => items.map((item) => item.getAttribute('data-comment-id')));
    // The page opens with the latest comments.
    await eventually(async () => {
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Live thread');
      expect(await shownIds()).toEqual(ids);
    });

    ids.push(await comment('A new comment, live'));
    await eventually(async () => expect(await shownIds()).toEqual([...ids].reverse()));
    expect(await page.locator('.comment').first().locator('.comment-body').textContent()).toBe('A new comment, live');
    await eventually(async () => expect(await page.locator('.stat', { hasText: 'Comments' }).locator('dd').textContent()).toBe('2'));

    // Comments posted while the page is disconnected reach it only through commentAdded's `after`.
    await restart(async () => {
      await connectionNotice(page).waitFor({ state: 'visible', timeout: 5000 });
    });
    ids.push(await comment('Posted while the page was away'));
    await connectionNotice(page).waitFor({ state: 'hidden', timeout: 8000 });
    ids.push(await comment('Posted after the reconnect'));
    await eventually(async () => expect(await shownIds()).toEqual([...ids].reverse()));
    await eventually(async () => expect(await page.locator('.stat', { hasText: 'Comments' }).locator('dd').textContent()).toBe('4'));

    // The socket after the restart resumed from the last comment the page had received.
    const [first, ...later] = live.sockets;
    const lastCursorBefore = first.received
      .filter((frame) => (frame as { type?: string }).type === 'next')
      .map((frame) => (frame as { payload: { data?: { commentAdded?: { cursor: string } } } }).payload.data?.commentAdded?.cursor)
      .filter(Boolean)
      .pop();
    const resumed = later.flatMap(commentAddedAfters);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    for (const after of resumed) expect(after).toBe(lastCursorBefore);
    expect(new Set(await shownIds()).size).toBe(ids.length);
  }, 30_000);
});
