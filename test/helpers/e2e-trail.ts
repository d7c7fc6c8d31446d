import { afterEach, beforeEach } from 'vitest';
import { trail } from './browser.ts';

// A browser test that fails prints what the browser and the server did during it; one that passes prints nothing.
beforeEach(() => {
  trail.length = 0;
});
afterEach((context) => {
  if (context.task.result?.state === 'fail') console.log(`--- what happened in "${context.task.name}" (last ${trail.length} events)\n${trail.join('\n')}`);
});
