import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';

/**
 * The document frame every PDF shares: the embedded CJK font, A4 pages, the company header repeated on each page and
 * "page x / y" in the footer.
 *
 * Font: Noto Sans SC (SIL Open Font License 1.1) from the npm package @expo-google-fonts/noto-sans-sc, so it installs
 * with the project and nothing is downloaded at run time. pdfkit embeds only the glyphs a document uses (a subset),
 * which keeps a one-page quote small. The 10 MB TTFs are parsed once per process with fontkit and the parsed fonts
 * handed to pdfkit: several times faster per document than registering the file path each time.
 */
const require = createRequire(import.meta.url);
type Font = fontkit.Font;
let fonts: { regular: Font } | null = null;

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  [k: string]: number;
}
/** A shaped run as pdfkit reads it: glyphs, positions it may scale in place, and the advance width summed from them. */
class Run {
  constructor(
    readonly glyphs: fontkit.Glyph[],
    readonly positions: Position[],
  ) {}
  get advanceWidth(): number {
    let w = 0;
    for (const p of this.positions) w += p.xAdvance;
    return w;
  }
}

/**
 * Shaping a run of CJK text (fontkit's layout: script detection, GSUB/GPOS) is most of a document's CPU, and quotes
 * repeat the same words — labels, product names, company names, amounts. The parsed font is wrapped so each distinct
 * run is shaped once per process (a bounded cache); pdfkit scales positions in place, so every call gets fresh copies.
 */
function withLayoutCache(font: Font, max = 50_000): Font {
  const cache = new Map<string, { glyphs: fontkit.Glyph[]; positions: Position[] }>();
  const layout = (text: string, features?: unknown): Run => {
    const key = features ? `${JSON.stringify(features)}\u0000${text}` : text;
    let hit = cache.get(key);
    if (!hit) {
      const run = font.layout(text, features as string[] | undefined);
      hit = { glyphs: run.glyphs, positions: run.positions.map((p) => ({ ...p }) as Position) };
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(key, hit);
    }
    return new Run(hit.glyphs, hit.positions.map((p) => ({ ...p })));
  };
  // Subsetting decodes every used glyph's outline in every document; fontkit keeps glyph objects, so each one's
  // decoded outline (read-only to pdfkit and the subsetter) is kept too.
  const decoded = new WeakSet<object>();
  const getGlyph = (id: number, codePoints?: number[]): fontkit.Glyph => {
    const glyph = font.getGlyph(id, codePoints) as fontkit.Glyph & { _decode?: () => unknown };
    if (glyph._decode && !decoded.has(glyph)) {
      const decode = glyph._decode.bind(glyph);
      let value: unknown;
      let done = false;
      glyph._decode = () => {
        if (!done) {
          value = decode();
          done = true;
        }
        return value;
      };
      decoded.add(glyph);
    }
    return glyph;
  };
  // Everything else (metrics, tables, subsetting) is the font's own.
  return new Proxy(font, { get: (target, prop, receiver) => (prop === 'layout' ? layout : prop === 'getGlyph' ? getGlyph : Reflect.get(target, prop, receiver)) });
}

function loadFont(spec: string): Font {
  const font = fontkit.create(fs.readFileSync(require.resolve(spec)));
  if (!('layout' in font)) throw new Error(`${spec}: expected a single font`);
  return withLayoutCache(font);
}

export function documentFonts(): { regular: Font } {
  fonts ??= { regular: loadFont('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf') };
  return fonts;
}

export const PAGE = { width: 595.28, height: 841.89, margin: 42 } as const;
export const COLORS = { text: '#1f1f1f', muted: '#6b6b6b', line: '#c9c9c9', head: '#f0f3f8', accent: '#1f3a68' } as const;

export interface CompanyHeader {
  name: string;
  address: string;
  phone: string;
  taxId: string;
  logo: Buffer | null;
  labels: { phone: string; taxId: string; colon: string };
}

export interface Frame {
  doc: PDFKit.PDFDocument;
  /** Starts a new page with the header drawn; returns the y where content begins. */
  newPage(): number;
  /** The y below which content must not go (the footer sits under it). */
  bottom: number;
  regular(size: number, color?: string): PDFKit.PDFDocument;
  bold(size: number, color?: string): PDFKit.PDFDocument;
  /** Writes "page x / y" (and a left note) on every page, then returns the finished PDF. */
  finish(footerLeft: string, pageLabel: (x: number, y: number) => string): Promise<Buffer>;
}

export function createFrame(opts: { title: string; author: string; header: CompanyHeader }): Frame {
  const f = documentFonts();
  // font: null — no default Helvetica (its metrics would be parsed for every document).
  const doc = new PDFDocument({ font: null as unknown as string, size: 'A4', margin: PAGE.margin, bufferPages: true, autoFirstPage: false, info: { Title: opts.title, Author: opts.author, Creator: 'Guanxi CRM' } });
  // pdfkit 0.20 accepts a font already parsed by fontkit (its types only list paths and buffers).
  doc.registerFont('regular', f.regular as unknown as PDFKit.Mixins.PDFFontSource);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const regular = (size: number, color: string = COLORS.text) => doc.font('regular').fontSize(size).fillColor(color);
  // Bold is the regular font drawn filled and outlined (text render mode 2, stroke ≈ 4% of the size): a second
  // embedded subset (the Bold face) cost ~6 KB per document for a handful of words, which a one-page quote with a
  // logo cannot afford under 50 KB. Only `.text(…)` on what bold() returns is emboldened.
  const bold = (size: number, color: string = COLORS.text): PDFKit.PDFDocument => {
    regular(size, color);
    return new Proxy(doc, {
      get(target, prop, receiver) {
        if (prop !== 'text') return Reflect.get(target, prop, receiver);
        return (text: string, ...rest: unknown[]) => {
          const last = rest.at(-1);
          const options = { ...(last && typeof last === 'object' ? last : {}), fill: true, stroke: true };
          const args = [...(last && typeof last === 'object' ? rest.slice(0, -1) : rest), options];
          target.save().lineWidth(size * 0.04).lineJoin('round').strokeColor(color);
          (target.text as (...a: unknown[]) => PDFKit.PDFDocument)(text, ...args);
          target.restore();
          return target;
        };
      },
    });
  };
  const h = opts.header;
  const left = PAGE.margin;
  const right = PAGE.width - PAGE.margin;

  function drawHeader(): number {
    const top = 30;
    let x = left;
    if (h.logo) {
      try {
        // Fitted into 96 × 40 pt; the name starts just after the logo's own width (a square logo is 40 pt wide).
        // openImage is pdfkit's, missing from its type definitions; image() takes what it returns.
        const img = (doc as unknown as { openImage(src: Buffer): { width: number; height: number } }).openImage(h.logo);
        const w = Math.min(96, (40 * img.width) / img.height);
        doc.image(img as unknown as Buffer, left, top, { fit: [96, 40], valign: 'center' });
        x = left + w + 10;
      } catch {
        /* an image pdfkit cannot read (not PNG/JPEG): the header goes without it */
      }
    }
    bold(14, COLORS.accent).text(h.name, x, top + 1, { width: right - x, lineBreak: false });
    const details = [h.address, h.phone ? `${h.labels.phone}${h.labels.colon}${h.phone}` : '', h.taxId ? `${h.labels.taxId}${h.labels.colon}${h.taxId}` : ''].filter(Boolean).join('    ');
    regular(8, COLORS.muted).text(details, x, top + 22, { width: right - x, lineBreak: false, ellipsis: true });
    const y = top + 46;
    doc.moveTo(left, y).lineTo(right, y).lineWidth(1.2).strokeColor(COLORS.accent).stroke();
    doc.moveTo(left, y + 2.5).lineTo(right, y + 2.5).lineWidth(0.4).strokeColor(COLORS.accent).stroke();
    return y + 14;
  }

  return {
    doc,
    bottom: PAGE.height - 56,
    regular,
    bold,
    newPage() {
      doc.addPage();
      return drawHeader();
    },
    async finish(footerLeft, pageLabel) {
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        // Writing below the bottom margin would open a new page: lift the margin while drawing the footer.
        const margin = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        const y = PAGE.height - 36;
        doc.moveTo(left, y - 6).lineTo(right, y - 6).lineWidth(0.4).strokeColor(COLORS.line).stroke();
        regular(8, COLORS.muted).text(footerLeft, left, y, { width: 300, lineBreak: false });
        regular(8, COLORS.muted).text(pageLabel(i - range.start + 1, range.count), right - 150, y, { width: 150, align: 'right', lineBreak: false });
        doc.page.margins.bottom = margin;
      }
      doc.end();
      return done;
    },
  };
}
