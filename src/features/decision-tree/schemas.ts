import { z } from 'zod';
import { oneOf, optionalId, optionalText } from '../../lib/validation.ts';

export const ROLES = ['decision_maker', 'approver', 'technical_evaluator', 'business_user', 'influencer', 'gatekeeper', 'coach'] as const;
export const ATTITUDES = ['supporter', 'neutral', 'opponent'] as const;
export const INFLUENCES = ['high', 'medium', 'low'] as const;
export type CommitteeRole = (typeof ROLES)[number];

const fields = {
  role: oneOf(ROLES),
  attitude: oneOf(ATTITUDES),
  influence: oneOf(INFLUENCES),
  reports_to_id: optionalId,
  notes: optionalText(500),
};

export const memberEdit = z.object(fields);
export const memberNew = z.object({
  contact_id: optionalId.refine((v) => v !== null, 'required'),
  ...fields,
});
export type MemberInput = z.output<typeof memberEdit>;
