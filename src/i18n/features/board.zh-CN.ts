// Strings of the board feature (zh-CN, the source). Keep board.en.ts in step: the compiler checks it.
export const boardZhCN = {
  title: 'board',
} as const;
