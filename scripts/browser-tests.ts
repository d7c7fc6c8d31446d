// Runs the browser tests (test/e2e) when a Chromium is available: CHROMIUM_PATH, else /usr/bin/chromium.
// Without one they are skipped with a message — except under CI, where a missing browser fails the run.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  if (process.env.CI) {
    console.error(`Browser tests: no Chromium at ${chromium} and CI is set — failing. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.warn(`\n⚠ Browser tests SKIPPED: no Chromium at ${chromium}. Install Debian's chromium or set CHROMIUM_PATH to run them.\n`);
  process.exit(0);
}
const result = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.browser.config.ts'], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: chromium },
});
process.exit(result.status ?? 1);
