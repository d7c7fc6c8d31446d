// npm run create-admin -- <username> <display name>
// Recovery when nobody can sign in as an administrator: creates an admin (or re-enables and resets an existing
// user as admin) with a temporary password that must be changed at the first sign-in. Audited as a system action.
import { loadConfig } from '../src/config.ts';
import { nowIso, openDatabase, writeTransaction } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { generateTemporaryPassword, hashPassword } from '../src/auth/password.ts';
import { invalidateUserSessions } from '../src/auth/session.ts';
import { audit } from '../src/audit/index.ts';
import { USERNAME_RE } from '../src/auth/schemas.ts';

const [rawUsername, displayName] = process.argv.slice(2);
const username = rawUsername?.toLowerCase() ?? '';
if (!USERNAME_RE.test(username) || !displayName) {
  console.error('usage: npm run create-admin -- <username> <display name>');
  process.exit(2);
}
const config = loadConfig();
const database = openDatabase(config.databaseFile);
await migrateToLatest(database.db);
const password = generateTemporaryPassword();
const hash = await hashPassword(password);
await writeTransaction(database.db, async (trx) => {
  const now = nowIso();
  const existing = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  let id: number;
  if (existing) {
    id = existing.id;
    await trx.updateTable('users').set({ role: 'admin', active: 1, password_hash: hash, must_change_password: 1, updated_at: now }).where('id', '=', id).execute();
    await invalidateUserSessions(trx, id);
  } else {
    id = (await trx.insertInto('users').values({ username, display_name: displayName, role: 'admin', department_id: null, password_hash: hash, must_change_password: 1, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  }
  await audit(trx, { actorId: null, ip: 'cli' }, { action: existing ? 'password_reset' : 'create', entity: 'user', entityId: id, summary: `${displayName} (${username}) via create-admin`, changes: { role: [null, 'admin'] } });
});
await database.close();
console.log(`administrator ${username} ready; temporary password: ${password} (must be changed at first sign-in)`);
