import type { Messages } from '../zh-CN.ts';

export const customersEn: Messages['customers'] = {
  title: 'Customers',
};
