// Strings of the leads feature (zh-CN, the source). Keep leads.en.ts in step: the compiler checks it.
export const leadsZhCN = {
  title: '线索',
} as const;
