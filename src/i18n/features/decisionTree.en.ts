import type { Messages } from '../zh-CN.ts';

export const decisionTreeEn: Messages['decisionTree'] = {
  title: 'decisionTree',
};
