// Strings of the analytics feature (zh-CN, the source). Keep analytics.en.ts in step: the compiler checks it.
export const analyticsZhCN = {
  title: 'analytics',
} as const;
