import type { Messages } from '../zh-CN.ts';

export const activitiesEn: Messages['activities'] = {
  title: 'Activities and schedule',
};
