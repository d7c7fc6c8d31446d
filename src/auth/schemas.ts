import { z } from 'zod';
import { optionalEmail, optionalText, password, requiredText } from '../lib/validation.ts';

export const USERNAME_RE = /^[a-z0-9._-]{3,32}$/;
export const username = requiredText(32).pipe(z.string().transform((v) => v.toLowerCase()).refine((v) => USERNAME_RE.test(v), 'username'));

export const loginSchema = z.object({
  username: optionalText(100),
  password: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(200)),
  next: optionalText(500),
});

export const setupSchema = z.object({
  company_name: requiredText(100),
  username,
  display_name: requiredText(50),
  email: optionalEmail,
  password,
});
