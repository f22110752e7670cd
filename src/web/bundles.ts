/**
 * Serves one page's bundled files (dist/web/<page>/, built by ./build-assets) under a URL prefix,
 * with the page headers. Bundles are rebuilt only by `npm run build`, so they may be cached for
 * a while; a missing file is the shell's JSON 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { setPageHeaders } from './page-headers';

/** The project root (the folder with package.json) above this file, whether it runs from src/ (the tests) or dist/src/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Where `npm run build` writes the bundles (src/web/build-assets.ts). */
export const BUNDLE_ROOT = path.join(projectRoot(__dirname), 'dist', 'web');
const BUNDLE_MAX_AGE_S = 300;

export function bundleDirectory(page: string): string {
  return path.join(BUNDLE_ROOT, page);
}

export function serveBundle(page: string): express.RequestHandler {
  return express.static(bundleDirectory(page), {
    index: false,
    redirect: false,
    fallthrough: true,
    maxAge: BUNDLE_MAX_AGE_S * 1000,
    setHeaders: (res) => setPageHeaders(res),
  });
}
