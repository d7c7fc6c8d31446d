import type { Messages } from '../zh-CN.ts';

export const contactsEn: Messages['contacts'] = {
  title: 'Contacts',
};
