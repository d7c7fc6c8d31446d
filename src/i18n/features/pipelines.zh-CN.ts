// Strings of the pipelines feature (zh-CN, the source). Keep pipelines.en.ts in step: the compiler checks it.
export const pipelinesZhCN = {
  title: 'pipelines',
} as const;
