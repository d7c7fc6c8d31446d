// Strings of the imports feature (zh-CN, the source). Keep imports.en.ts in step: the compiler checks it.
export const importsZhCN = {
  title: '导入',
} as const;
