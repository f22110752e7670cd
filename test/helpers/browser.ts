/**
 * A real browser for the pages' tests: Debian's Chromium (/usr/bin/chromium, installed by
 * .ci/run) driven by playwright-core, never a browser downloaded from the internet. Outside CI
 * a machine without Chromium skips these suites with a line saying why; in CI (CI=true) that
 * is a failure. Browsers go on the dispose list (./leftovers).
 */
import fs from 'node:fs';
import { Browser, chromium, Page, Request } from 'playwright-core';
import { onDispose } from './leftovers';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `describe` when Chromium is installed; otherwise `describe.skip` with a visible line, except
 * in CI where a missing browser fails the run.
 */
export function describeWithBrowser(suite: string): jest.Describe {
  if (fs.existsSync(CHROMIUM_PATH)) return describe;
  if (process.env.CI) throw new Error(`${suite}: no Chromium at ${CHROMIUM_PATH}, and CI must run this suite (see .ci/run)`);
  console.warn(`${suite}: skipped, no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return describe.skip;
}

/**
 * Headless Chromium with the flags this machine needs: no sandbox (tests run as root), and none
 * of Chromium's own background traffic, which the closed network here refuses.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  onDispose(() => browser.close());
  return browser;
}

/** Every request a page makes to a host other than localhost / 127.0.0.1 (the pages must work offline). */
export function recordRequestsLeavingLocalhost(page: Page): Request[] {
  const leaving: Request[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return;
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) leaving.push(request);
  });
  return leaving;
}
