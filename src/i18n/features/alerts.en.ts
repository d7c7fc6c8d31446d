import type { Messages } from '../zh-CN.ts';

export const alertsEn: Messages['alerts'] = {
  title: 'alerts',
};
