import type { Messages } from '../zh-CN.ts';

export const analyticsEn: Messages['analytics'] = {
  title: 'analytics',
};
