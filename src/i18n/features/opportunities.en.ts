import type { Messages } from '../zh-CN.ts';

export const opportunitiesEn: Messages['opportunities'] = {
  title: 'opportunities',
};
