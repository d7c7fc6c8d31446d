import { z } from 'zod';
import { LANGUAGES } from '../../db/types.ts';
import { oneOf, password, requiredText } from '../../lib/validation.ts';

export const profileSchema = z.object({ display_name: requiredText(50), language: oneOf(LANGUAGES) });
export const passwordSchema = z
  .object({
    current_password: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().min(1, 'required')),
    new_password: password,
    confirm_password: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string()),
  })
  .refine((v) => v.new_password === v.confirm_password, { message: 'passwordMismatch', path: ['confirm_password'] });
