import { rootOf, type Db } from './index.ts';

/**
 * Small per-database memo for slow-changing lookups that every page of a list needs (the company, the tag
 * vocabulary). Entries live `ttlMs`; a write in this process calls `forget` so its own user sees the change at
 * once, other processes within the TTL. Keyed by the database (rootOf: a transaction shares its database's entries), so test databases never share entries.
 */
const store = new WeakMap<Db, Map<string, { at: number; value: unknown }>>();

export async function remember<T>(db: Db, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  let entries = store.get(rootOf(db));
  if (!entries) store.set(rootOf(db), (entries = new Map()));
  const hit = entries.get(key);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value as T;
  const value = await load();
  entries.set(key, { at: Date.now(), value });
  return value;
}

export function forget(db: Db, key: string): void {
  store.get(rootOf(db))?.delete(key);
}
