// Strings of the contacts feature (zh-CN, the source). Keep contacts.en.ts in step: the compiler checks it.
export const contactsZhCN = {
  title: '联系人',
} as const;
