import type { Messages } from '../zh-CN.ts';

export const boardEn: Messages['board'] = {
  title: 'board',
};
