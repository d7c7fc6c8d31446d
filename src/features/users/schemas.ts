import { z } from 'zod';
import { ROLES, LANGUAGES } from '../../db/types.ts';
import { oneOf, optionalEmail, optionalId, optionalMobile, password, requiredText } from '../../lib/validation.ts';
import { username } from '../../auth/schemas.ts';

const profile = {
  display_name: requiredText(50),
  email: optionalEmail,
  phone: optionalMobile,
  department_id: optionalId,
  role: oneOf(ROLES),
  language: oneOf(LANGUAGES),
};

export const createUserSchema = z.object({ username, ...profile, password });
export const updateUserSchema = z.object(profile);
export type CreateUserInput = z.output<typeof createUserSchema>;
export type UpdateUserInput = z.output<typeof updateUserSchema>;

export const userListQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  department: z.string().regex(/^\d+$/).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(['active', 'disabled']).optional().catch(undefined),
  after: z.string().max(64).optional().catch(undefined),
});
export type UserListQuery = z.output<typeof userListQuery>;
