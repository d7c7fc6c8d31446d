// Copies browser libraries from node_modules into public/vendor (never hand-vendored). Runs on npm install.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PUBLIC_DIR } from '../src/paths.ts';

const require = createRequire(import.meta.url);
const assets: [string, string][] = [['htmx.org/dist/htmx.min.js', 'htmx.min.js']];
const dest = path.join(PUBLIC_DIR, 'vendor');
fs.mkdirSync(dest, { recursive: true });
for (const [from, to] of assets) {
  fs.copyFileSync(require.resolve(from), path.join(dest, to));
}
console.log(`copied ${assets.length} asset(s) to public/vendor`);
