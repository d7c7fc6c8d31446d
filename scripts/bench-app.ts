// The app on the bench dataset (data/bench, made by npm run bench), in-process, with a signed-in user's cookies:
// shared by the profiling scripts (profile-page, profile-queries). The dataset is used as it is, never migrated.
import { openDatabase } from '../src/db/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createSession } from '../src/auth/session.ts';

export async function benchApp(user: string, url: string) {
  const database = openDatabase('data/bench/guanxi.sqlite');
  const db = database.db;
  const app = await buildApp({ config: loadConfig({ NODE_ENV: 'production', DATA_DIR: 'data/bench' }), db, logger: false });
  const u = await db.selectFrom('users').select('id').where('username', '=', user).executeTakeFirstOrThrow();
  const { token } = await createSession(db, u.id);
  // Carry the CSRF cookie the first page sets, as a browser does (without it every page mints a new secret).
  const first = await app.inject({ url, headers: { cookie: `guanxi_session=${token}` } });
  const csrf = first.cookies.find((c) => c.name === 'guanxi_csrf');
  const cookie = `guanxi_session=${token}${csrf ? `; guanxi_csrf=${csrf.value}` : ''}`;
  return {
    app,
    get: () => app.inject({ url, headers: { cookie } }),
    async close() {
      await db.deleteFrom('sessions').where('user_id', '=', u.id).execute();
      await app.close();
    },
  };
}
