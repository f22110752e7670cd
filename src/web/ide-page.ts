/**
 * The IDE's HTML page: no inline script or style, it only loads the bundle `npm run build` made
 * from src/web/browser/ide/ (served under /ide/ by ./ide.ts), under the pages' Content-Security-
 * Policy with two directives relaxed for this page alone (see idePolicy).
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { CONTENT_SECURITY_POLICY, setPageHeaders } from './page-headers';

/** Where the IDE's bundle is served (its own path: everything under /graphql/ is the JSON 404). */
export const IDE_ASSETS_PATH = '/ide';

/** The meta element the bundle reads the style nonce from (src/web/browser/ide/main.tsx). */
export const STYLE_NONCE_META = 'csp-style-nonce';

/**
 * The pages' policy, relaxed for the IDE only, and only as far as GraphiQL needs:
 * - font-src data: GraphiQL's stylesheet embeds its fonts (Roboto, Fira Code) as data: URIs; they
 *   come from the bundle itself, never from the network.
 * - style-src 'nonce-...': its dialogs and menus (Radix, through react-remove-scroll) add a
 *   <style> element that locks the page's scrolling while they are open. Only an element carrying
 *   this response's nonce is applied; other inline styles stay refused ('unsafe-inline' is not given).
 */
export function idePolicy(styleNonce: string): string {
  return CONTENT_SECURITY_POLICY.replace("font-src 'self'", "font-src 'self' data:").replace("style-src 'self'", `style-src 'self' 'nonce-${styleNonce}'`);
}

function idePageHtml(styleNonce: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="${STYLE_NONCE_META}" nonce="${styleNonce}" />
    <title>GraphiQL · Peer community API</title>
    <!-- An empty icon, as the live pages have: else the browser asks for /favicon.ico and logs its 404. -->
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${IDE_ASSETS_PATH}/main.css" />
    <script type="module" src="${IDE_ASSETS_PATH}/main.js"></script>
  </head>
  <body>
    <div id="graphiql"><noscript>The GraphQL IDE needs JavaScript.</noscript></div>
  </body>
</html>
`;
}

export function sendIdePage(res: Response): void {
  // A fresh nonce per response: one an attacker saw on an earlier page is worth nothing here.
  const styleNonce = randomBytes(16).toString('base64');
  setPageHeaders(res);
  res.setHeader('content-security-policy', idePolicy(styleNonce));
  // The nonce changes with every response, and the page names the bundle a new build replaces.
  res.setHeader('cache-control', 'no-store');
  res.status(200).type('html').send(idePageHtml(styleNonce));
}
