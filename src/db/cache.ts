import { dataVersion, rootOf, type Db } from './index.ts';

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

/**
 * A lookup kept while no row in the database has changed (the dataVersion stamp, decision 0019): exact, never stale,
 * in this process or after another's write, with no invalidation to remember at the write sites. For the small,
 * slow-changing lists nearly every page draws (pickers of people, pipelines and stages, the company's settings).
 * The stamp is read before the lookup, so a write during it only makes the next call look again. Inside a transaction
 * there is no stamp and the lookup always runs. A key must name everything the lookup reads besides the database,
 * including every part of a Viewer it uses (role, departments: userScopeKey): a request's Viewer may be older than
 * the stamp, so a viewer's id alone could file an answer computed from old departments under a new stamp.
 * The answer is shared by every later caller, so it is frozen (arrays and plain objects, deeply) and typed read-only:
 * a caller that wants to change it makes a copy. Not for Maps, Sets or buffers, whose contents freezing cannot reach.
 */
const unchanged = new WeakMap<Db, Map<string, { version: string; value: unknown }>>();
const UNCHANGED_MAX = 2_000;

export type DeepReadonly<T> = T extends (infer E)[] ? readonly DeepReadonly<E>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

export async function whileUnchanged<T>(db: Db, key: string, load: () => Promise<T>): Promise<DeepReadonly<T>> {
  const version = dataVersion(db);
  if (version === null) return (await load()) as DeepReadonly<T>;
  let entries = unchanged.get(rootOf(db));
  if (!entries) unchanged.set(rootOf(db), (entries = new Map()));
  const hit = entries.get(key);
  if (hit && hit.version === version) return hit.value as DeepReadonly<T>;
  const value = deepFreeze(await load());
  // Entries of older stamps are dead weight: start again rather than track them one by one.
  if (entries.size >= UNCHANGED_MAX) entries.clear();
  entries.set(key, { version, value });
  return value as DeepReadonly<T>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
