import { z } from 'zod';
import { formText, optionalText, requiredText } from '../../lib/validation.ts';

const str = formText;
const flag = z.preprocess((v) => v === '1' || v === 'on' || (Array.isArray(v) && v.includes('1')), z.boolean());
const intIn = (min: number, max: number) =>
  str.pipe(
    z
      .string()
      .trim()
      .min(1, 'required')
      .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= min && Number(v) <= max, 'invalid')
      .transform(Number),
  );

export const pipelineSchema = z.object({ name: requiredText(50), is_default: flag, active: flag, sort_order: intIn(0, 999) });
export type PipelineInput = z.output<typeof pipelineSchema>;

export const stageSchema = z.object({ name: requiredText(30), probability: intIn(0, 100), expected_days: intIn(0, 365) });
export type StageInput = z.output<typeof stageSchema>;

export const criterionSchema = z.object({ label: requiredText(100) });
export type CriterionInput = z.output<typeof criterionSchema>;

export const taskTemplateSchema = z.object({ subject: requiredText(100), due_days: intIn(0, 365) });
export type TaskTemplateInput = z.output<typeof taskTemplateSchema>;

export const competitorSchema = z.object({ name: requiredText(60), website: optionalText(200), notes: optionalText(1000), active: flag });
export type CompetitorInput = z.output<typeof competitorSchema>;
