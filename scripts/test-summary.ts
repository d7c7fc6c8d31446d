// Prints one closing line for the whole suite (unit + integration + browser): "tests: N passed, N failed, N skipped".
import fs from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of ['.test-results/unit.json', '.test-results/browser.json']) {
  if (!fs.existsSync(file)) continue;
  // Field names of vitest's JSON reporter (Jest's format): numPendingTests are skipped tests; numTodoTests counts
  // tests declared with it.todo (declared, not written), which are reported as skipped too.
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
