// Strings of the alerts feature (zh-CN, the source). Keep alerts.en.ts in step: the compiler checks it.
export const alertsZhCN = {
  title: 'alerts',
} as const;
