/**
 * `npm run screenshots`: regenerates docs/live-poll.png and docs/live-dashboard.png from the demo
 * community. It starts the built server (`node dist/src/main.js`, as `npm start` does) on a
 * temporary SQLite file with the demo data, opens the pages in the machine's Chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium, driven by playwright-core: nothing is downloaded),
 * takes the pictures and stops everything it started.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const DOCS = path.join(PROJECT_ROOT, 'docs');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The poll page as a 720p projector shows it, the dashboard as a 1080p wall screen does: each exactly one screen (the pages never scroll). */
const POLL_VIEWPORT = { width: 1280, height: 720 };
const DASHBOARD_VIEWPORT = { width: 1920, height: 1080 };
const DASHBOARD_POLLS = 6;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilHealthy(baseUrl: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    const status = await fetch(`${baseUrl}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not become healthy within 30 s');
}

/** The demo polls, newest first, with the return-to-office poll (the README's example) first. */
async function demoPolls(baseUrl: string): Promise<Array<{ id: string; title: string }>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ posts(first: 20, kind: POLL, orderBy: MOST_VIEWED) { nodes { id title } } }' }),
  });
  const body = (await response.json()) as { data?: { posts: { nodes: Array<{ id: string; title: string }> } } };
  if (!body.data) throw new Error(`reading the demo polls failed: ${JSON.stringify(body)}`);
  return body.data.posts.nodes;
}

async function takeScreenshots(baseUrl: string): Promise<void> {
  const polls = await demoPolls(baseUrl);
  const featured = polls.find((poll) => /return-to-office/i.test(poll.title)) ?? polls[0];
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
  });
  try {
    // Reduced motion: the bars are drawn at their final widths, not mid-transition.
    const page = await browser.newPage({ viewport: POLL_VIEWPORT, reducedMotion: 'reduce' });
    await page.goto(`${baseUrl}/live/polls/${featured.id}`);
    await page.locator('.participants').filter({ hasText: /\d/ }).waitFor();
    await page.screenshot({ path: path.join(DOCS, 'live-poll.png') });

    await page.setViewportSize(DASHBOARD_VIEWPORT);
    const wall = [featured, ...polls.filter((poll) => poll.id !== featured.id)].slice(0, DASHBOARD_POLLS);
    await page.goto(`${baseUrl}/live/dashboard?polls=${wall.map((poll) => poll.id).join(',')}`);
    for (const card of await page.locator('.poll-card').all()) await card.locator('.participants').filter({ hasText: /\d/ }).waitFor();
    await page.screenshot({ path: path.join(DOCS, 'live-dashboard.png') });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-screenshots-'));
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'src', 'main.js')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'demo.sqlite')}`,
      DEMO_DATA: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitUntilHealthy(baseUrl, server);
    fs.mkdirSync(DOCS, { recursive: true });
    await takeScreenshots(baseUrl);
    console.log(
      `screenshots: ${path.relative(PROJECT_ROOT, path.join(DOCS, 'live-poll.png'))}, ${path.relative(PROJECT_ROOT, path.join(DOCS, 'live-dashboard.png'))}`,
    );
  } finally {
    const exited = new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(null)));
    server.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
