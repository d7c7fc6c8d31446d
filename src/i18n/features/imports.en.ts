import type { Messages } from '../zh-CN.ts';

export const importsEn: Messages['imports'] = {
  title: 'Import',
};
