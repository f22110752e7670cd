/**
 * Serves one page's bundled files (dist/web/<page>/, built by ./build-assets) under a URL prefix,
 * with the page headers. Their names carry no version (main.js), so a browser keeps them but asks
 * again on every page load (no-cache: a 304 while unchanged, by ETag): just after an upgrade a page
 * must not run the old script against the new server. A missing file is the shell's JSON 404.
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

export function bundleDirectory(page: string): string {
  return path.join(BUNDLE_ROOT, page);
}

export function serveBundle(page: string): express.RequestHandler {
  return express.static(bundleDirectory(page), {
    index: false,
    redirect: false,
    fallthrough: true,
    etag: true,
    lastModified: true,
    setHeaders: (res) => {
      setPageHeaders(res);
      res.setHeader('cache-control', 'no-cache');
    },
  });
}
