// Runs in a worker thread (src/pdf/pool.ts): renders one document from plain data and hands the bytes back.
import { renderQuotePdf, type QuotePdfData, type QuotePdfLabels } from './quote.ts';

export interface QuoteJob {
  kind: 'quote';
  data: QuotePdfData;
  labels: QuotePdfLabels;
}

export default async function render(job: QuoteJob): Promise<Uint8Array> {
  // A logo crosses the thread boundary as a Uint8Array (structured clone): pdfkit wants a Buffer.
  const logo = job.data.company.logo ? Buffer.from(job.data.company.logo) : null;
  const pdf = await renderQuotePdf({ ...job.data, company: { ...job.data.company, logo } }, job.labels);
  return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
}
