/**
 * The live pages in Chromium against a real server: the poll page draws a seeded poll's bars,
 * moves the right bar when a vote is cast over HTTP and shows the poll closed; a poll with hidden
 * results shows no tallies and receives none; the dashboard follows several polls over one
 * WebSocket; unknown and malformed ids answer a 404 page; every page carries the CSP and nothing
 * leaves localhost. Reconnecting is test/live-pages-reconnect.test.ts.
 */
import type { Browser } from 'playwright-core';
import { describeWithBrowser, launchBrowser } from './helpers/browser';
import { DELETE_POST } from './helpers/delete-documents';
import { CLOSE_POLL } from './helpers/documents';
import { barOf, barState, createPoll, eventually, openLivePage, payloadsOf, vote } from './helpers/live-pages';
import { startTestServer, TestServer } from './helpers/server';
import { toGlobalId } from '../src/graphql/global-id';

const SUITE = 'live pages';

/**
 * The directives of a Content-Security-Policy that allow anything but this server's own origin
 * ('self', 'none'); the one exception is the `data:,` icon the pages name (img-src), which loads
 * nothing. frame-ancestors says who may frame the page, not what it loads (embed=1 opens it).
 */
function onlyOwnOrigin(policy: string | undefined): string[] {
  expect(policy).toMatch(/default-src 'self'/);
  return policy!
    .split(';')
    .map((directive) => directive.trim().split(/\s+/))
    .filter(
      ([name, ...sources]) =>
        name !== 'frame-ancestors' && sources.some((source) => !["'self'", "'none'"].includes(source) && !(name === 'img-src' && source === 'data:')),
    )
    .map((directive) => directive.join(' '));
}

describeWithBrowser(SUITE)(SUITE, () => {
  let t: TestServer;
  let browser: Browser;
  let author: { token: string; id: string };
  const voters: Array<{ token: string; id: string }> = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    author = await t.signUp();
    for (let i = 0; i < 4; i++) voters.push(await t.signUp());
  });

  it('the poll page draws a seeded poll, moves the right bar when a vote is cast over HTTP, and shows the poll closed', async () => {
    const poll = await createPoll(t, author.token, 'Which cloud do you run most on?', ['AWS', 'Azure', 'On premises']);
    await vote(t, voters[0].token, poll, 'AWS');

    const live = await openLivePage(browser, `${t.baseUrl}/live/polls/${poll.id}`);
    expect(live.response?.status()).toBe(200);
    expect(onlyOwnOrigin(live.response?.headers()['content-security-policy'])).toEqual([]);
    const { page } = live;
    await eventually(async () => {
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Which cloud do you run most on?');
      expect(await barState(barOf(page, 'AWS'))).toEqual({ now: '100', text: '100%, 1 vote' });
    });
    expect(await barState(barOf(page, 'Azure'))).toEqual({ now: '0', text: '0%, 0 votes' });
    expect(await page.locator('.participants').textContent()).toBe('1 participant');
    expect(await page.locator('.poll-state').textContent()).toBe('Open');

    await vote(t, voters[1].token, poll, 'Azure');
    await eventually(async () => {
      expect(await barState(barOf(page, 'Azure'))).toEqual({ now: '50', text: '50%, 1 vote' });
      expect(await barState(barOf(page, 'AWS'))).toEqual({ now: '50', text: '50%, 1 vote' });
      expect(await page.locator('.participants').textContent()).toBe('2 participants');
    });
    // Figures read NN%, beside each label, for everyone (not only screen readers).
    expect(await page.locator('.option', { hasText: 'Azure' }).locator('.figures').textContent()).toBe('50% 1 vote');
    expect(await barState(barOf(page, 'On premises'))).toEqual({ now: '0', text: '0%, 0 votes' });

    expect((await t.gql(CLOSE_POLL, { input: { pollId: poll.id } }, author.token)).errors).toBeUndefined();
    await eventually(async () => expect(await page.locator('.poll-state').textContent()).toBe('Closed'));
    expect(await page.locator('.poll-card.closed').count()).toBe(1);

    expect(live.sockets).toHaveLength(1);
    expect(live.leaving).toEqual([]);
    expect(live.errors).toEqual([]);
  });

  it('a poll whose results are hidden shows no tallies and no %, and its WebSocket frames carry none', async () => {
    const poll = await createPoll(t, author.token, 'What share of the budget goes to security?', ['Under 5%', '5 to 10%', 'Over 10%'], {
      resultsVisibility: 'ON_CLOSE',
    });
    await vote(t, voters[0].token, poll, 'Under 5%');

    const live = await openLivePage(browser, `${t.baseUrl}/live/polls/${poll.id}`);
    const { page } = live;
    await eventually(async () => expect(await page.locator('.hidden-note').textContent()).toBe('Results appear when the poll closes'));
    // A vote while the page watches: the message it causes carries no tallies either.
    await vote(t, voters[1].token, poll, 'Over 10%');
    await eventually(async () => expect(await page.locator('.participants').textContent()).toBe('2 participants'));

    expect(await page.getByRole('progressbar').count()).toBe(0);
    expect(await page.locator('.percent, .votes').count()).toBe(0);
    // The labels themselves hold "%" here: what the page draws beside them must not.
    const drawn = await page.locator('main').innerText();
    const withoutLabels = ['Under 5%', '5 to 10%', 'Over 10%'].reduce((text, label) => text.replace(label, ''), drawn);
    expect(withoutLabels).not.toContain('%');
    expect(withoutLabels).not.toMatch(/\bvotes?\b/);

    const results = payloadsOf(live.sockets[0], 'pollResultsUpdated') as Array<{
      isHidden: boolean;
      options: Array<{ voteCount: unknown; percentage: unknown }>;
    }>;
    expect(results.length).toBeGreaterThanOrEqual(2);
    for (const message of results) {
      expect(message.isHidden).toBe(true);
      for (const option of message.options) expect([option.voteCount, option.percentage]).toEqual([null, null]);
    }
    expect(live.errors).toEqual([]);
  });

  it('the dashboard shows several polls over one WebSocket and updates each, and a deleted one as gone', async () => {
    const polls = [
      await createPoll(t, author.token, 'First wall poll', ['Yes', 'No']),
      await createPoll(t, author.token, 'Second wall poll', ['Red', 'Blue']),
      await createPoll(t, author.token, 'Third wall poll', ['Up', 'Down'], { resultsVisibility: 'ON_VOTE' }),
    ];
    const live = await openLivePage(browser, `${t.baseUrl}/live/dashboard?polls=${polls.map((poll) => poll.id).join(',')}`);
    expect(live.response?.status()).toBe(200);
    const { page } = live;
    const cards = page.locator('.poll-card');
    await eventually(async () => {
      expect(await cards.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['First wall poll', 'Second wall poll', 'Third wall poll']);
      expect(await cards.locator('.participants').allTextContents()).toEqual(['0 participants', '0 participants', '0 participants']);
    });
    expect(await cards.nth(2).locator('.hidden-note').textContent()).toBe('Results appear after you vote');

    await vote(t, voters[2].token, polls[0], 'No');
    await vote(t, voters[2].token, polls[1], 'Red');
    await vote(t, voters[3].token, polls[1], 'Red');
    await vote(t, voters[2].token, polls[2], 'Up');
    await eventually(async () => {
      expect(await barState(barOf(cards.nth(0), 'No'))).toEqual({ now: '100', text: '100%, 1 vote' });
      expect(await barState(barOf(cards.nth(1), 'Red'))).toEqual({ now: '100', text: '100%, 2 votes' });
      expect(await cards.nth(2).locator('.participants').textContent()).toBe('1 participant');
    });
    expect(await barState(barOf(cards.nth(0), 'Yes'))).toEqual({ now: '0', text: '0%, 0 votes' });
    expect(await cards.nth(2).getByRole('progressbar').count()).toBe(0);

    // A poll deleted while the wall shows it: its card says so, the others go on.
    expect((await t.gql(DELETE_POST, { input: { postId: polls[1].id } }, author.token)).errors).toBeUndefined();
    await eventually(async () => expect(await cards.nth(1).locator('.gone-note').textContent()).toBe('This poll is no longer available.'));
    await vote(t, voters[3].token, polls[0], 'Yes');
    await eventually(async () => expect(await barState(barOf(cards.nth(0), 'Yes'))).toEqual({ now: '50', text: '50%, 1 vote' }));

    expect(live.sockets).toHaveLength(1);
    expect(live.leaving).toEqual([]);
    expect(live.errors).toEqual([]);
  });

  it('the poll page and a 12-poll dashboard fit the screen they are shown on, with no scrolling', async () => {
    /** True once every card shows its figures, and the page is no taller than the screen. */
    const fitsOnce = async (url: string, viewport: { width: number; height: number }, cards: number) => {
      const { page } = await openLivePage(browser, url, { viewport, reducedMotion: 'reduce' });
      await eventually(async () => expect(await page.locator('.participants').filter({ hasText: /\d/ }).count()).toBe(cards));
      const { scrollHeight, screenHeight } = await page
        .locator('html')
        .evaluate((root) => ({ scrollHeight: root.scrollHeight, screenHeight: root.ownerDocument.defaultView!.innerHeight }));
      expect(scrollHeight).toBeLessThanOrEqual(screenHeight);
      return page;
    };
    // The demo's return-to-office poll on a 720p projector: a two-line question and six long labels.
    const projected = await createPoll(t, author.token, 'What does your return-to-office policy look like right now?', [
      'Hybrid, with office days set by the company',
      'Hybrid, with each team choosing its own rhythm',
      'Fully remote, meeting in person a few times a year',
      'Back in the office five days a week',
      'No policy yet, we are still deciding',
      'Something else (tell us in the comments)',
    ]);
    await fitsOnce(`${t.baseUrl}/live/polls/${projected.id}`, { width: 1280, height: 720 }, 1);

    // The most options a poll may have, under a three-line question: the page still does not scroll,
    // and the list keeps to its own box (scrolling inside it) instead of covering the participant line.
    const crowded = await createPoll(
      t,
      author.token,
      'Which of these twenty tools does your team use every single day, counting both the ones IT runs and the ones teams bought themselves?',
      Array.from({ length: 20 }, (_, i) => `Tool number ${i + 1} with a fairly long name`),
    );
    const crowdedPage = await fitsOnce(`${t.baseUrl}/live/polls/${crowded.id}`, { width: 1280, height: 720 }, 1);
    const bottomOf = (selector: string) => crowdedPage.locator(selector).evaluate((element) => element.getBoundingClientRect().bottom);
    const topOf = (selector: string) => crowdedPage.locator(selector).evaluate((element) => element.getBoundingClientRect().top);
    const boxes = { optionsBottom: await bottomOf('.options'), participantsTop: await topOf('.participants') };
    expect(boxes.optionsBottom).toBeLessThanOrEqual(boxes.participantsTop);
    expect(await crowdedPage.getByText('Tool number 20 with a fairly long name').count()).toBe(1);

    const wall: string[] = [];
    for (let i = 1; i <= 12; i++)
      wall.push((await createPoll(t, author.token, `Wall poll ${i}: how many screens does your NOC have?`, ['One', 'Two to five', 'More'])).id);
    const dashboard = await fitsOnce(`${t.baseUrl}/live/dashboard?polls=${wall.join(',')}`, { width: 1920, height: 1080 }, 12);
    // A heading for the page as a whole (screen readers list it), above the cards' own.
    expect(await dashboard.getByRole('heading', { level: 1 }).textContent()).toBe('Live polls');
  });

  it('only the bar widths move, for at most 300 ms, and not at all under prefers-reduced-motion', async () => {
    const poll = await createPoll(t, author.token, 'Smooth or still?', ['Smooth', 'Still']);
    const transitionOf = async (options: { reducedMotion?: 'reduce' | 'no-preference' }) => {
      const { page } = await openLivePage(browser, `${t.baseUrl}/live/polls/${poll.id}`, options);
      const fill = barOf(page, 'Smooth').locator('.bar-fill');
      await fill.waitFor({ state: 'attached' });
      return fill.evaluate((element) => {
        const view = element.ownerDocument.defaultView!;
        const style = view.getComputedStyle(element);
        // Everything else on the page (figures, labels, the state, the notice) changes at once: no transition, no animation.
        const othersMoving = [...element.ownerDocument.querySelectorAll('*')]
          .filter((other) => {
            const { transitionDuration, animationName } = view.getComputedStyle(other);
            const moves = transitionDuration.split(',').some((seconds: string) => parseFloat(seconds) > 0) || animationName !== 'none';
            return moves && !other.classList.contains('bar-fill');
          })
          .map((other) => other.className);
        return { property: style.transitionProperty, seconds: parseFloat(style.transitionDuration), othersMoving };
      });
    };
    const moving = await transitionOf({ reducedMotion: 'no-preference' });
    expect(moving.property).toBe('width');
    expect(moving.othersMoving).toEqual([]);
    expect(moving.seconds).toBeGreaterThan(0);
    expect(moving.seconds).toBeLessThanOrEqual(0.3);
    expect((await transitionOf({ reducedMotion: 'reduce' })).seconds).toBe(0);
  });

  it('?embed=1 drops the page chrome and may be framed by another site', async () => {
    const poll = await createPoll(t, author.token, 'Embedded poll', ['One', 'Two']);
    const full = await fetch(`${t.baseUrl}/live/polls/${poll.id}`);
    expect(full.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await full.text()).toContain('class="chrome"');
    const embedded = await fetch(`${t.baseUrl}/live/polls/${poll.id}?embed=1`);
    expect(embedded.headers.get('x-frame-options')).toBeNull();
    expect(embedded.headers.get('content-security-policy')).toMatch(/frame-ancestors \*/);
    expect(await embedded.text()).not.toContain('class="chrome"');
  });

  it('unknown and malformed ids answer a 404 page; a dashboard list that is empty or too long a 400 page', async () => {
    const poll = await createPoll(t, author.token, 'A real poll', ['A', 'B']);
    const thread = toGlobalId('Thread', 1);
    const cases: Array<[string, number, string]> = [
      [`/live/polls/${toGlobalId('Poll', 999_999)}`, 404, 'Poll not found'],
      ['/live/polls/not-an-id', 404, 'Poll not found'],
      [`/live/polls/${thread}`, 404, 'Poll not found'],
      [`/live/posts/${toGlobalId('Thread', 999_999)}`, 404, 'Post not found'],
      ['/live/posts/%3Cscript%3E', 404, 'Post not found'],
      [`/live/dashboard?polls=${poll.id},${toGlobalId('Poll', 999_999)}`, 404, 'Poll not found'],
      ['/live/dashboard', 400, 'Which polls?'],
      ['/live/dashboard?polls=', 400, 'Malformed list of polls'],
      [`/live/dashboard?polls=${Array.from({ length: 13 }, (_, i) => toGlobalId('Poll', i + 1)).join(',')}`, 400, 'Too many polls'],
      ['/live/elsewhere', 404, 'Page not found'],
      // Broken percent-encoding: express cannot decode the id; still the page, not the API's JSON 400.
      ['/live/polls/%ZZ', 404, 'Page not found'],
      ['/live/posts/%', 404, 'Page not found'],
      ['/live/polls/%ZZ?embed=1', 404, 'Page not found'],
    ];
    for (const [path, status, heading] of cases) {
      const response = await fetch(`${t.baseUrl}${path}`);
      const html = await response.text();
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, status, 'text/html; charset=utf-8']);
      expect(onlyOwnOrigin(response.headers.get('content-security-policy') ?? undefined)).toEqual([]);
      expect(html).toContain(`<h1>${heading}</h1>`);
      expect(html).not.toContain('<script>');
    }

    // In the browser: a page that says so, not a blank one.
    const live = await openLivePage(browser, `${t.baseUrl}/live/polls/not-an-id`);
    expect(live.response?.status()).toBe(404);
    expect(await live.page.getByRole('heading', { level: 1 }).textContent()).toBe('Poll not found');
    // Chromium reports the page's own 404 on the console; nothing else may fail (a CSP violation would).
    expect(live.errors).toEqual(['Failed to load resource: the server responded with a status of 404 (Not Found)']);
  });
});
