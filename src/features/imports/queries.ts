import type { Db } from '../../db/index.ts';
import type { Viewer } from '../../access/index.ts';
import { assignableUser } from '../users/queries.ts';

/** Who may own the imported records: active sales users within the viewer's userScope (a rep: only themself). */
export { assignableUsers as ownerChoices } from '../users/queries.ts';

export async function isOwnerChoice(db: Db, viewer: Viewer, userId: number): Promise<boolean> {
  return Boolean(await assignableUser(db, viewer, userId));
}
