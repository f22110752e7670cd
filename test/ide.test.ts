/**
 * The offline GraphQL IDE: GraphiQL bundled by this server, opened by a browser at /graphql.
 * In Chromium: it loads with nothing from outside localhost, runs queries over HTTP and
 * subscriptions over graphql-ws, and signs in with the token of its headers editor. Over HTTP:
 * who gets it (outside production; in production only with GRAPHQL_IDE=1, which turns
 * introspection on, on both transports), under which Content-Security-Policy, and that its
 * preloaded example operations are valid against the schema.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { buildSchema, Kind, parse, validate } from 'graphql';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE_TABS } from '../src/web/browser/ide/example-operations';
import { describeWithBrowser, launchBrowser, recordRequestsLeavingLocalhost } from './helpers/browser';
import { CAST_VOTE, CREATE_POLL, CREATE_THREAD } from './helpers/documents';
import { rawSocket } from './helpers/live';
import { codesOf, startTestServer, TestServer } from './helpers/server';

const INTROSPECTION = `{ __schema { queryType { name } } }`;

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
/** The editor shown below the query: the headers editor, open from the start. */
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESULT = '.result-window .CodeMirror';

/** What the tests read in the page: a CodeMirror 5 editor hangs its instance on its element (this file's types have no DOM). */
type InPage = { document: { querySelector(selector: string): { CodeMirror: { getValue(): string } } | null } };

/** Generous for this loaded 2-core machine; the IDE itself promises no timing. */
const UI_TIMEOUT_MS = 10_000;
/** How long a click on Execute may take to send its operation before the test clicks again. */
const SEND_TIMEOUT_MS = 3_000;
const EXECUTE_ATTEMPTS = 3;

/** What the IDE has sent so far: operations over HTTP (POST /graphql) and subscribes over the WebSocket. */
function countOperationsSent(page: Page): { count: number } {
  const sent = { count: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') sent.count += 1;
  });
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if ((JSON.parse(String(payload)) as { type: string }).type === 'subscribe') sent.count += 1;
    }),
  );
  return sent;
}

async function createPoll(t: TestServer, token: string, title: string): Promise<{ id: string; options: Array<{ id: string; label: string }> }> {
  const created = await t.gql(CREATE_POLL, { input: { title, options: ['Weekly', 'Daily'], allowsMultipleChoices: false } }, token);
  expect(created.errors).toBeUndefined();
  return created.data!.createPoll.poll;
}

describeWithBrowser('the GraphQL IDE in a browser')('the GraphQL IDE in a browser', () => {
  let t: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });

  interface OpenIde {
    page: Page;
    /** Requests to other hosts. */
    leaving: ReturnType<typeof recordRequestsLeavingLocalhost>;
    /** What its policy blocked. */
    refused: string[];
    /** Every console error (a failed load, such as a missing /favicon.ico, is one). */
    consoleErrors: string[];
    sent: { count: number };
  }

  /** The IDE in a fresh page; the lists fill as it runs. */
  async function openIde(): Promise<OpenIde> {
    const page = await browser.newPage();
    const leaving = recordRequestsLeavingLocalhost(page);
    const sent = countOperationsSent(page);
    const refused: string[] = [];
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/.test(message.text())) refused.push(message.text());
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(t.url);
    await page.locator(QUERY_EDITOR).waitFor({ timeout: UI_TIMEOUT_MS });
    return { page, leaving, refused, consoleErrors, sent };
  }

  /** Replaces the text of a CodeMirror editor (typing would meet its auto-closed brackets). */
  async function setEditor(page: Page, selector: string, text: string): Promise<void> {
    await page
      .locator(selector)
      .evaluate((element, value) => (element as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(value), text);
  }

  /** Waits until the result pane shows `text`; fails with what it shows. */
  async function resultShows(page: Page, text: string): Promise<void> {
    try {
      // A function, not a string: the page's policy refuses eval (no 'unsafe-eval').
      await page.waitForFunction(
        ([selector, expected]) => (globalThis as unknown as InPage).document.querySelector(selector)?.CodeMirror.getValue().includes(expected) ?? false,
        [RESULT, text] as const,
        { timeout: UI_TIMEOUT_MS },
      );
    } catch (error) {
      const shown = await page.locator(RESULT).evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
      throw new Error(`the result pane never showed ${text}; it shows: ${shown}`, { cause: error });
    }
  }

  /**
   * Runs the operation `name` (the name `query` gives it) in a new tab, as a user does: once
   * GraphiQL has taken the query. It reads a query's operations 100 ms after the last edit (then the
   * tab takes the operation's name); until then the Execute button is the one of the text before,
   * which may be a menu of its operations, so a click that fast opens a menu that goes away and
   * sends nothing. A click that still sends nothing within SEND_TIMEOUT_MS is made again.
   */
  async function runInNewTab({ page, sent }: OpenIde, name: string, query: string, headers?: string): Promise<void> {
    await page.getByRole('button', { name: 'New tab' }).click();
    await setEditor(page, QUERY_EDITOR, query);
    if (headers !== undefined) await setEditor(page, HEADERS_EDITOR, headers);
    await page.locator(`[role="tab"][aria-selected="true"]`, { hasText: name }).waitFor({ timeout: UI_TIMEOUT_MS });
    for (let attempt = 1; ; attempt++) {
      const before = sent.count;
      await page.getByRole('button', { name: /Execute query/ }).click();
      const deadline = Date.now() + SEND_TIMEOUT_MS;
      while (sent.count === before && Date.now() < deadline) await page.waitForTimeout(50);
      if (sent.count > before) return;
      if (attempt === EXECUTE_ATTEMPTS) throw new Error(`${EXECUTE_ATTEMPTS} clicks on Execute sent nothing for ${name}`);
    }
  }

  it('loads from this server alone, with the README examples as tabs and the schema in its docs, and runs a query', async () => {
    const member = await t.signUp();
    await t.gql(CREATE_THREAD, { input: { title: 'Asked from the IDE test', body: 'Body.' } }, member.token);
    const ide = await openIde();
    const { page, leaving, refused, consoleErrors } = ide;

    for (const name of ['LogIn', 'ThreadPage', 'CreatePoll', 'AddComment', 'CreateThread', 'PollResults']) {
      await page.getByRole('tab', { name }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    // The docs come from introspection, which the IDE needs.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor({ timeout: UI_TIMEOUT_MS });

    await runInNewTab(ide, 'RecentPosts', 'query RecentPosts { posts(first: 5) { nodes { title } } }');
    await resultShows(page, 'Asked from the IDE test');
    expect(leaving.map((request) => request.url())).toEqual([]);
    expect(refused).toEqual([]);
    // Nothing failed to load either (its icon is inline: no request for /favicon.ico).
    expect(consoleErrors).toEqual([]);
  });

  it('runs a subscription over the WebSocket and shows each update as it arrives', async () => {
    const member = await t.signUp();
    const poll = await createPoll(t, member.token, 'How often do you deploy?');
    const ide = await openIde();
    const { page } = ide;

    await runInNewTab(ide, 'WatchPoll', `subscription WatchPoll { pollResultsUpdated(pollId: "${poll.id}") { participantCount options { label voteCount } } }`);
    await resultShows(page, '"participantCount": 0');
    const voted = await t.gql(CAST_VOTE, { input: { pollId: poll.id, optionIds: [poll.options[1].id] } }, member.token);
    expect(voted.errors).toBeUndefined();
    await resultShows(page, '"participantCount": 1');
  });

  it('signs in with the token of its headers editor, over HTTP and in connection_init', async () => {
    const member = await t.signUp({ title: 'Head of Tooling' });
    const poll = await createPoll(t, member.token, 'Which editor?');
    const ide = await openIde();
    const { page, refused } = ide;
    const initPayloads: unknown[] = [];
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; payload?: unknown };
        if (frame.type === 'connection_init') initPayloads.push(frame.payload);
      }),
    );

    // The first tab's Viewer, with the untouched placeholder: anonymous (no "Bearer <token>" sent).
    await page.getByRole('button', { name: /Execute query/ }).click();
    await page.getByRole('menuitem', { name: 'Viewer' }).click();
    await resultShows(page, '"viewer": null');

    await setEditor(page, HEADERS_EDITOR, `{"Authorization": "Bearer ${member.token}"}`);
    await page.getByRole('button', { name: /Execute query/ }).click();
    await page.getByRole('menuitem', { name: 'Viewer' }).click();
    await resultShows(page, 'Head of Tooling');

    await runInNewTab(
      ide,
      'WatchVersion',
      `subscription WatchVersion { pollResultsUpdated(pollId: "${poll.id}") { version } }`,
      `{"Authorization": "Bearer ${member.token}"}`,
    );
    await resultShows(page, '"version": 0');
    expect(initPayloads).toEqual([{ authorization: `Bearer ${member.token}` }]);
    // Its menus add a <style> element: applied with the page's nonce, nothing refused.
    expect(refused).toEqual([]);
  });
});

describe('the GraphQL IDE over HTTP', () => {
  let development: TestServer;
  let production: TestServer;
  let productionWithIde: TestServer;

  beforeAll(async () => {
    [development, production, productionWithIde] = await Promise.all([
      startTestServer(),
      startTestServer({ env: { NODE_ENV: 'production' } }),
      startTestServer({ env: { NODE_ENV: 'production', GRAPHQL_IDE: '1' } }),
    ]);
  });

  const openAsBrowser = (t: TestServer) => fetch(t.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });

  /** The code of the first error a subscribe with introspection in its document gets, or 'next' when it runs. */
  async function subscribeWithIntrospection(t: TestServer): Promise<string> {
    const member = await t.signUp();
    const poll = await createPoll(t, member.token, 'Introspect?');
    const socket = await rawSocket(t);
    socket.send({ type: 'connection_init', payload: {} });
    await socket.frame((frame) => frame.type === 'connection_ack');
    socket.send({
      id: '1',
      type: 'subscribe',
      payload: {
        query: `subscription S($id: ID!) { pollResultsUpdated(pollId: $id) { version } } query Q { __type(name: "Comment") { name } }`,
        operationName: 'S',
        variables: { id: poll.id },
      },
    });
    const frame = await socket.frame((received) => received.id === '1');
    return frame.type === 'next' ? 'next' : String(frame.payload?.[0]?.extensions?.code);
  }

  it('serves the page to a browser under the pages policy, with only fonts and nonce-bearing styles relaxed', async () => {
    const response = await openAsBrowser(development);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("font-src 'self' data:");
    const nonce = /style-src 'self' 'nonce-([^']+)';/.exec(policy)?.[1];
    expect(nonce).toBeDefined();
    expect(policy).not.toContain('unsafe');
    const html = await response.text();
    expect(html).toContain(`nonce="${nonce}"`);
    expect(html).toContain('<script type="module" src="/ide/main.js"></script>');
    expect(html).not.toMatch(/<script>|<style|https?:\/\//);
    // A fresh nonce for every page.
    expect((await openAsBrowser(development)).headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('serves its bundle under /ide/ with the pages policy, revalidated on every load, and leaves /graphql/ide to the JSON 404', async () => {
    for (const file of ['main.js', 'main.css']) {
      const response = await fetch(`${development.baseUrl}/ide/${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(file.endsWith('.js') ? /javascript/ : /text\/css/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      // Unversioned names: kept, but asked again on every load (a 304 while unchanged), so an upgrade shows at once.
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const etag = response.headers.get('etag')!;
      expect(etag).toBeTruthy();
      // node:http, not fetch: fetch adds Cache-Control: no-cache to a conditional request, which always gets the body.
      const again = await new Promise<number | undefined>((resolve, reject) =>
        http.get(`${development.baseUrl}/ide/${file}`, { headers: { 'if-none-match': etag } }, (res) => resolve(res.resume().statusCode)).on('error', reject),
      );
      expect(again).toBe(304);
    }
    const underGraphql = await fetch(`${development.url}/ide/main.js`);
    expect(underGraphql.status).toBe(404);
    expect(await underGraphql.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('leaves every API request to the endpoint: JSON clients, and operations sent by GET from a browser', async () => {
    const json = await fetch(development.url, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/json/);
    const query = await fetch(`${development.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/html,*/*;q=0.8', 'apollo-require-preflight': 'true' },
    });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' }, extensions: { cost: 1 } });
  });

  it('is off in production without GRAPHQL_IDE: no page, no bundle, no introspection over HTTP or the WebSocket', async () => {
    const response = await openAsBrowser(production);
    expect(response.headers.get('content-type')).toMatch(/json/);
    expect(await response.text()).not.toContain('/ide/');
    expect((await fetch(`${production.baseUrl}/ide/main.js`)).status).toBe(404);
    expect(codesOf(await production.gql(INTROSPECTION))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await subscribeWithIntrospection(production)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('is on in production with GRAPHQL_IDE=1, with introspection over HTTP and the WebSocket', async () => {
    const response = await openAsBrowser(productionWithIde);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('/ide/main.js');
    expect((await fetch(`${productionWithIde.baseUrl}/ide/main.js`)).status).toBe(200);
    const introspection = await productionWithIde.gql(INTROSPECTION);
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect(await subscribeWithIntrospection(productionWithIde)).toBe('next');
  });

  it("preloads the README's example operations, every one valid against the schema", () => {
    const schema = buildSchema(fs.readFileSync(path.join(__dirname, '..', 'schema', 'schema.graphql'), 'utf8'));
    const operations = EXAMPLE_TABS.flatMap((tab) => {
      const document = parse(tab.query);
      expect(validate(schema, document)).toEqual([]);
      if (tab.variables !== undefined) expect(() => JSON.parse(tab.variables!)).not.toThrow();
      return document.definitions.map((definition) => ('name' in definition ? definition.name?.value : undefined));
    });
    expect(operations).toEqual(
      expect.arrayContaining(['LogIn', 'Viewer', 'ThreadPage', 'CreatePoll', 'CastVote', 'AddComment', 'PollResults', 'PostStats', 'CommentAdded']),
    );
  });

  it("holds every subscription of the README's Live API, so a new one cannot be left out of the IDE", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const liveApi = readme.slice(readme.indexOf('\n## Live API\n'), readme.indexOf('\n## Live pages\n'));
    const inReadme = [...liveApi.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap(([, block]) => subscriptionFields(block));
    expect(inReadme.length).toBeGreaterThanOrEqual(6);
    const inIde = EXAMPLE_TABS.flatMap((tab) => subscriptionFields(tab.query));
    expect([...new Set(inIde)].sort()).toEqual(expect.arrayContaining([...new Set(inReadme)].sort()));
  });
});

/** The root fields of a document's subscriptions (pollResultsUpdated, commentAdded, ...). */
function subscriptionFields(source: string): string[] {
  return parse(source).definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription'
      ? definition.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : []))
      : [],
  );
}
