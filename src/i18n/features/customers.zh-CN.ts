// Strings of the customers feature (zh-CN, the source). Keep customers.en.ts in step: the compiler checks it.
export const customersZhCN = {
  title: '客户',
} as const;
