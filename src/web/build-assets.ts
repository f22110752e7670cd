/**
 * Bundles the browser pages' scripts and styles with esbuild (run by `npm run build`, so
 * `npm ci` prepares them too): every `src/web/browser/<page>/main.ts` or `main.tsx` becomes
 * `dist/web/<page>/main.js` (and `main.css` when it imports CSS). Everything a page needs comes
 * from the npm packages, bundled here: the pages load nothing from a CDN and work offline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_ROOT as bundleDir } from './bundles';

const projectRoot = path.resolve(bundleDir, '..', '..');
const sourceDir = path.join(projectRoot, 'src', 'web', 'browser');

function pageEntries(): Array<{ page: string; entry: string }> {
  if (!fs.existsSync(sourceDir)) return [];
  return fs
    .readdirSync(sourceDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => {
      const entry = ['main.ts', 'main.tsx'].map((name) => path.join(sourceDir, dir.name, name)).find((file) => fs.existsSync(file));
      return entry ? [{ page: dir.name, entry }] : [];
    });
}

async function bundleAll(): Promise<void> {
  const entries = pageEntries();
  fs.rmSync(bundleDir, { recursive: true, force: true });
  for (const { page, entry } of entries) {
    await build({
      entryPoints: [entry],
      outfile: path.join(bundleDir, page, 'main.js'),
      bundle: true,
      minify: true,
      sourcemap: true,
      format: 'esm',
      target: ['chrome120', 'firefox120'],
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
      logLevel: 'warning',
      legalComments: 'linked',
    });
  }
  console.log(`browser bundles: ${entries.map((e) => e.page).join(', ') || 'none'} -> ${path.relative(projectRoot, bundleDir)}`);
}

if (require.main === module) {
  bundleAll().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
