import os from 'node:os';
import { Piscina } from 'piscina';
import type { QuotePdfData, QuotePdfLabels } from './quote.ts';
import type { QuoteJob } from './worker.ts';

/**
 * PDFs are drawn in worker threads (piscina): a two-page quote is ~15–20 ms of pure CPU (text layout, font
 * subsetting, deflate), which on the main thread would hold up every other user's page meanwhile, and several at once
 * would queue behind each other. Workers start on first use (each parses the font once, ~0.4 s) and leave when idle.
 * They run the TypeScript sources through tsx like the main process.
 */
let pool: Piscina | null = null;

function workers(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    execArgv: ['--import', 'tsx'],
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(2, os.availableParallelism())),
    idleTimeout: 60_000,
  });
  return pool;
}

export async function renderQuotePdfInWorker(data: QuotePdfData, labels: QuotePdfLabels): Promise<Buffer> {
  const job: QuoteJob = { kind: 'quote', data, labels };
  const bytes = (await workers().run(job)) as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Stops the workers (server shutdown, test teardown). */
export async function closePdfWorkers(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await p.destroy();
}
