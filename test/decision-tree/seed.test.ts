import { afterEach, beforeEach, expect, it } from 'vitest';
import { smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { customerRow, newContact } from '../helpers/contacts.ts';
import { newOpportunityRow, newPipeline } from '../helpers/pipeline-analytics.ts';
import { seedDecisionTrees } from '../../scripts/seed/decision-tree.ts';
import { decisionTreePanel } from '../../src/features/decision-tree/queries.ts';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => t.close());

it('seeds committees with planned visits on the larger deals', async () => {
  const org = await smallOrg(t.db);
  const p = await newPipeline(t.db);
  const cust = await customerRow(t.db, { owner: org.users.rep1.id });
  for (const name of ['赵刚', '钱芳', '孙磊', '李娜']) await newContact(t.db, { owner: org.users.rep1.id, customerId: cust, name });
  const opp = await newOpportunityRow(t.db, { owner: org.users.rep1.id, customerId: cust, pipelineId: p.id, stageId: p.stages.b, amountFen: 50_000_000 });
  let n = 0;
  await seedDecisionTrees({ db: t.db, sqlite: t.sqlite, scale: 'small', now: new Date('2026-11-27T00:00:00Z'), users: new Map(), owners: [org.users.rep1.id], random: () => ((n = (n + 0.37) % 1), n) });
  const viewer = { id: org.users.rep1.id, username: 'rep1', displayName: '', role: 'sales_rep' as const, departmentId: null, departmentIds: [], language: 'zh-CN' as const, mustChangePassword: false, memberOf: new Set<string>() };
  const panel = await decisionTreePanel(t.db, viewer, opp);
  expect(panel!.members).toHaveLength(4);
  expect(panel!.tree).toHaveLength(1);
  expect(panel!.tree[0]!.member.role).toBe('decision_maker');
  expect(Object.values(panel!.plan).flat().length).toBeGreaterThan(0);
});
