import type { Messages } from '../zh-CN.ts';

export const leadsEn: Messages['leads'] = {
  title: 'Leads',
};
