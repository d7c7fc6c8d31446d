import type { Messages } from '../zh-CN.ts';

export const pipelinesEn: Messages['pipelines'] = {
  title: 'pipelines',
};
