// Strings of the decisionTree feature (zh-CN, the source). Keep decisionTree.en.ts in step: the compiler checks it.
export const decisionTreeZhCN = {
  title: 'decisionTree',
} as const;
