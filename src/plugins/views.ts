import fp from 'fastify-plugin';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import type { Language } from '../db/types.ts';
import { VIEWS_DIR } from '../paths.ts';
import { fill, languageFromHeader, messages, type Messages } from '../i18n/index.ts';
import { formatter, type Formatter } from '../lib/format.ts';
import { navFor } from '../access/modules.ts';
import type { Viewer } from '../access/index.ts';
import { companyBrief, DEFAULT_TIME_ZONE } from '../features/company/queries.ts';

export type FlashKind = 'success' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  text: string;
}

/** What every template receives as `it`, besides its own data. */
export interface BaseLocals {
  t: Messages;
  lang: Language;
  fill: typeof fill;
  fmt: Formatter;
  viewer: Viewer | null;
  csrfToken: string;
  company: { name: string; hasLogo: boolean; timeZone: string; logoVersion: string };
  flash: Flash[];
  path: string;
  /** The left navigation's HTML for this viewer and page (the same for every page of a module: rendered once). */
  navHtml: () => string;
  /** Eta's own HTML escaping, for markup a template builds once as a string and repeats (e.g. a column's options). */
  esc: (value: unknown) => string;
}

declare module 'fastify' {
  interface FastifyRequest {
    lang: Language;
    t: Messages;
  }
  interface FastifyReply {
    /** Renders `page` (full layout) or, for an htmx request that is not a boosted navigation, `fragment`. */
    render(page: string, data?: Record<string, unknown>, opts?: { fragment?: string; status?: number }): Promise<FastifyReply>;
    /** Queues a message shown on the next rendered page. */
    flash(kind: FlashKind, text: string): FastifyReply;
  }
}

const FLASH_COOKIE = 'guanxi_flash';

/**
 * A fragment only for an htmx request that is not a navigation: not boosted, not a history restore, and aimed at
 * an element (HX-Target). HX-Location navigations target the body, which has no id, and so get the whole page.
 */
export function wantsFragment(req: FastifyRequest): boolean {
  const h = req.headers;
  return h['hx-request'] === 'true' && h['hx-boosted'] !== 'true' && h['hx-history-restore-request'] !== 'true' && Boolean(h['hx-target']);
}

export default fp(
  async (app, opts: { db: Db; cache: boolean }) => {
    const eta = new Eta({ views: VIEWS_DIR, cache: opts.cache, autoEscape: true, autoTrim: [false, 'nl'] });
    // Eta resolves an include's file on every call: its own path cache is keyed by a JSON.stringify of the including
    // file, the name and the views folder (~1.5 µs, for every include of every row). The file depends only on the
    // including file and the name, so with cached templates the answer is kept here (Eta's own checks, such as
    // staying inside views/, run the first time).
    const resolvePath = eta.resolvePath;
    if (opts.cache && resolvePath) {
      const resolved = new Map<string, string>();
      eta.resolvePath = function (template, options) {
        const key = `${options?.filepath ?? ''}\n${template}`;
        let file = resolved.get(key);
        if (file === undefined) resolved.set(key, (file = resolvePath.call(this, template, options)));
        return file;
      };
    }
    await app.register(view, { engine: { eta }, templates: VIEWS_DIR, production: opts.cache });

    /**
     * The navigation differs only by role, language and which entry is active, and every page draws it (18 entries
     * with their icons): it is rendered once per combination and kept, unless templates are reloaded (development).
     */
    const navCache = new Map<string, string>();
    const esc = (value: unknown): string => eta.config.escapeFunction(value);
    function navHtml(viewer: Viewer | null, lang: Language, t: Messages, path: string): string {
      if (!viewer) return '';
      const nav = navFor(viewer.role);
      // The active entry is the one whose href is the longest prefix of the path (/customers/pool → 公海, not 客户).
      let activeHref = '';
      for (const section of nav) {
        for (const m of section.items) {
          const match = m.href === '/' ? path === '/' : path === m.href || path.startsWith(m.href + '/');
          if (match && m.href.length > activeHref.length) activeHref = m.href;
        }
      }
      const key = `${viewer.role}|${lang}|${activeHref}`;
      let html = opts.cache ? navCache.get(key) : undefined;
      if (html === undefined) {
        html = eta.render('/partials/_nav', { nav, t, activeHref });
        if (opts.cache) navCache.set(key, html);
      }
      return html;
    }

    app.decorateRequest('lang', 'zh-CN');
    app.decorateRequest('t', null as unknown as Messages);
    app.addHook('preHandler', async (req) => {
      req.lang = req.viewer?.language ?? languageFromHeader(req.headers['accept-language']);
      req.t = messages(req.lang);
    });

    async function baseLocals(req: FastifyRequest, reply: FastifyReply): Promise<BaseLocals> {
      const company = await companyBrief(opts.db);
      const timeZone = company?.time_zone ?? DEFAULT_TIME_ZONE;
      const pending = readFlash(req, reply);
      const path = req.url.split('?')[0] ?? '/';
      return {
        t: req.t,
        lang: req.lang,
        fill,
        fmt: formatter(req.lang, timeZone, company?.currency ?? 'CNY'),
        viewer: req.viewer,
        csrfToken: reply.generateCsrf(),
        company: {
          name: company?.name ?? req.t.app.name,
          hasLogo: Boolean(company?.has_logo),
          timeZone,
          logoVersion: company?.updated_at ?? '',
        },
        flash: pending,
        path,
        navHtml: () => navHtml(req.viewer, req.lang, req.t, path),
        esc,
      };
    }

    function readFlash(req: FastifyRequest, reply: FastifyReply): Flash[] {
      const queued = (reply as FastifyReply & { queuedFlash?: Flash[] }).queuedFlash ?? [];
      const raw = req.cookies[FLASH_COOKIE];
      let fromCookie: Flash[] = [];
      if (raw) {
        const unsigned = req.unsignCookie(raw);
        if (unsigned.valid && unsigned.value) {
          try {
            fromCookie = JSON.parse(unsigned.value) as Flash[];
          } catch {
            fromCookie = [];
          }
        }
      }
      if (raw || queued.length > 0) reply.clearCookie(FLASH_COOKIE, { path: '/' });
      (reply as FastifyReply & { queuedFlash?: Flash[] }).queuedFlash = [];
      return [...fromCookie, ...queued];
    }

    app.decorateReply('flash', function (this: FastifyReply, kind: FlashKind, text: string) {
      const self = this as FastifyReply & { queuedFlash?: Flash[] };
      self.queuedFlash = [...(self.queuedFlash ?? []), { kind, text }];
      // Survives a redirect: the next page render reads and clears it.
      this.setCookie(FLASH_COOKIE, JSON.stringify(self.queuedFlash), { path: '/', httpOnly: true, sameSite: 'lax', signed: true });
      return this;
    });

    app.decorateReply(
      'render',
      async function (this: FastifyReply, page: string, data: Record<string, unknown> = {}, o: { fragment?: string; status?: number } = {}) {
        const req = this.request;
        const fragment = o.fragment && wantsFragment(req) ? o.fragment : undefined;
        const locals = await baseLocals(req, this);
        let html = await this.viewAsync(fragment ?? page, { ...locals, ...data, isFragment: Boolean(fragment) });
        if (fragment && locals.flash.length > 0) {
          // Out-of-band swap so a fragment response still shows its message.
          html += await this.viewAsync('partials/_flash', { ...locals, oob: true });
        }
        // Encoded once here: a string payload is measured (Buffer.byteLength) and then encoded again on write.
        return this.code(o.status ?? 200)
          .header('Vary', 'HX-Request')
          .header('Cache-Control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(Buffer.from(html, 'utf8'));
      },
    );
  },
  { name: 'views', dependencies: ['security'] },
);
