import { z } from 'zod';
import { optionalId, requiredText } from '../../lib/validation.ts';

export const departmentSchema = z.object({
  name: requiredText(50),
  parent_id: optionalId,
  manager_id: optionalId,
  sort_order: z.preprocess((v) => (v === '' || v === undefined ? 0 : Number(v)), z.number({ message: 'invalid' }).int('invalid').min(0, 'invalid').max(9999, 'invalid')),
});
export type DepartmentInput = z.output<typeof departmentSchema>;
