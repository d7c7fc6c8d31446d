// Strings of the activities feature (zh-CN, the source). Keep activities.en.ts in step: the compiler checks it.
export const activitiesZhCN = {
  title: '行动与日程',
} as const;
