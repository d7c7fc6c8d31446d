// Strings of the opportunities feature (zh-CN, the source). Keep opportunities.en.ts in step: the compiler checks it.
export const opportunitiesZhCN = {
  title: 'opportunities',
} as const;
