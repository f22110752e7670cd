/**
 * The offline GraphQL IDE (GraphiQL, bundled from the npm packages at build time): a browser's
 * GET /graphql gets the page, its script and stylesheet come from /ide/. On while
 * config.isIdeEnabled (GRAPHQL_IDE: outside production by default); off, neither exists and a
 * browser's GET /graphql goes to the endpoint as any other request does.
 */
import express from 'express';
import type { Config } from '../config';
import { serveBundle } from './bundles';
import { IDE_ASSETS_PATH, sendIdePage } from './ide-page';

/** What a GET /graphql may prefer; a browser's navigation prefers HTML, curl's `*` / `*` JSON (listed first). */
const ENDPOINT_TYPES = ['application/json', 'application/graphql-response+json', 'text/html'];

/**
 * For the HTTP shell's /graphql: answers a browser opening the endpoint (GET, HTML preferred, no
 * `query` parameter) with the IDE and returns true; anything else (an operation sent by GET or
 * POST, a client asking for JSON) returns false and goes to the endpoint. Null when the IDE is off.
 */
export function ideEntry(config: Config): ((req: express.Request, res: express.Response) => boolean) | null {
  if (!config.isIdeEnabled) return null;
  return (req, res) => {
    if (req.method !== 'GET' || req.query.query !== undefined || req.accepts(ENDPOINT_TYPES) !== 'text/html') return false;
    sendIdePage(res);
    return true;
  };
}

/** The IDE's bundle under /ide/ (nothing when the IDE is off: the shell's JSON 404). */
export function ideAssets(config: Config): express.Router {
  const router = express.Router();
  if (config.isIdeEnabled) router.use(IDE_ASSETS_PATH, serveBundle('ide'));
  return router;
}
