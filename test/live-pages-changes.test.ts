/**
 * The live pages when what they show changes under them: a poll or thread deleted or removed
 * says "no longer available" and, with nothing left to follow, never "Reconnecting…" (graphql-ws
 * closes the idle socket, which is no drop); a comment the thread page shows is redrawn when it
 * is edited or removed by a moderator, and leaves the page when deleted.
 */
import type { Browser } from 'playwright-core';
import { describeWithBrowser, launchBrowser } from './helpers/browser';
import { DELETE_POST, EDIT_COMMENT } from './helpers/delete-documents';
import { CREATE_THREAD, DELETE_COMMENT } from './helpers/documents';
import { ADD_COMMENT_WITH_ID, createPoll, eventually, LivePage, openLivePage } from './helpers/live-pages';
import { MODERATE, setRole } from './helpers/moderation-content-documents';
import { startTestServer, TestServer } from './helpers/server';

const SUITE = 'live pages, changes';

/**
 * How long the page may take to close its idle socket: graphql-ws waits MAX_RETRY_WAIT_MS + 1 s
 * (src/web/browser/live/connection.ts) after the last subscription ended, plus slack for this busy machine.
 */
const IDLE_SOCKET_CLOSES_WITHIN_MS = 12_000;

describeWithBrowser(SUITE)(SUITE, () => {
  let t: TestServer;
  let browser: Browser;
  let author: { token: string; id: string };
  let moderator: { token: string; id: string };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    author = await t.signUp();
    moderator = await t.signUp();
    await setRole(t, moderator.id, 'MODERATOR');
  });

  async function createThread(title: string): Promise<string> {
    const created = await t.gql(CREATE_THREAD, { input: { title, body: 'Comments below' } }, author.token);
    return created.data!.createThread.thread.id;
  }

  /** The page says its post is gone, its socket closes once idle, and the reconnecting notice never shows. */
  async function expectGoneQuietly(live: LivePage, note: string): Promise<void> {
    const { page } = live;
    await eventually(async () => expect(await page.locator('.gone-note').textContent()).toBe(note));
    await eventually(() => expect(live.sockets.map((socket) => socket.closed)).toEqual([true]), IDLE_SOCKET_CLOSES_WITHIN_MS);
    expect(await page.locator('#connection').isHidden()).toBe(true);
    // Nothing to follow: no new socket is opened either.
    expect(live.sockets).toHaveLength(1);
    expect(live.errors).toEqual([]);
  }

  it('a deleted poll: the poll page says it is gone, and not that it is reconnecting', async () => {
    const poll = await createPoll(t, author.token, 'Soon deleted', ['Yes', 'No']);
    const live = await openLivePage(browser, `${t.baseUrl}/live/polls/${poll.id}`);
    await eventually(async () => expect(await live.page.locator('.participants').textContent()).toBe('0 participants'));
    expect((await t.gql(DELETE_POST, { input: { postId: poll.id } }, author.token)).errors).toBeUndefined();
    await expectGoneQuietly(live, 'This poll is no longer available.');
  });

  it('a thread removed by a moderator: the thread page says it is gone, and not that it is reconnecting', async () => {
    const threadId = await createThread('Soon removed');
    const live = await openLivePage(browser, `${t.baseUrl}/live/posts/${threadId}`);
    await eventually(async () => expect(await live.page.locator('.thread-title').textContent()).toBe('Soon removed'));
    const removed = await t.gql(MODERATE, { input: { subjectId: threadId, action: 'REMOVE', reason: 'SPAM' } }, moderator.token);
    expect(removed.errors).toBeUndefined();
    await expectGoneQuietly(live, 'This post is no longer available.');
  });

  it('the thread page redraws a shown comment when it is edited or removed by a moderator, and drops it when deleted', async () => {
    const threadId = await createThread('Comments that change');
    const comment = async (body: string) => (await t.gql(ADD_COMMENT_WITH_ID, { input: { postId: threadId, body } }, author.token)).data!.addComment.comment.id;
    const [edited, removed, deleted] = [await comment('First words'), await comment('Rude words'), await comment('Regretted words')];

    const live = await openLivePage(browser, `${t.baseUrl}/live/posts/${threadId}`);
    const { page } = live;
    const item = (id: string) => page.locator(`li[data-comment-id="${id}"]`);
    await eventually(async () => expect(await page.locator('.comment-body').allTextContents()).toEqual(['Regretted words', 'Rude words', 'First words']));

    expect((await t.gql(EDIT_COMMENT, { input: { commentId: edited, body: 'Better words' } }, author.token)).errors).toBeUndefined();
    const moderated = await t.gql(MODERATE, { input: { subjectId: removed, action: 'REMOVE', reason: 'ABUSE' } }, moderator.token);
    expect(moderated.errors).toBeUndefined();
    expect((await t.gql(DELETE_COMMENT, { input: { commentId: deleted } }, author.token)).errors).toBeUndefined();

    await eventually(async () => {
      expect(await item(edited).locator('.comment-body').textContent()).toBe('Better words');
      expect(await item(removed).locator('.comment-body').textContent()).toBe('Removed by a moderator.');
      expect(await item(deleted).count()).toBe(0);
    });
    // The removed text is gone from the page, and a removed comment (author null) is not a former member's.
    const html = await page.content();
    expect(html).not.toContain('Rude words');
    expect(html).not.toContain('Regretted words');
    expect(await item(removed).locator('.comment-meta').textContent()).not.toContain('Former member');
    expect(await page.locator('#connection').isHidden()).toBe(true);
    expect(live.sockets).toHaveLength(1);
    expect(live.errors).toEqual([]);
  });
});
