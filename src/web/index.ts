/**
 * The browser pages this server serves beside the API: each page adds its routes here. The
 * HTTP shell mounts them before its JSON 404.
 */
import express from 'express';
import { resultsCsvRoutes } from '../app/results-csv-route';
import type { Config } from '../config';
import type { Services } from '../modules/services';
import { ideAssets } from './ide';
import { liveRoutes } from './live-pages';

export { ideEntry } from './ide';

export interface WebParts {
  config: Config;
  services: Services;
}

export function webRoutes(parts: WebParts): express.Router {
  const router = express.Router();
  router.use(ideAssets(parts.config));
  router.use(liveRoutes(parts.services));
  // Not a page: the results export (GET /polls/<id>/results.csv), an API route beside them.
  router.use(resultsCsvRoutes(parts.services));
  return router;
}
