import type { Role } from '../db/types.ts';
import type { Messages } from '../i18n/index.ts';

export type NavGroup = keyof Messages['nav']['groups'] | 'top';

export interface Module {
  key:
    | 'home'
    | 'customers'
    | 'pool'
    | 'contacts'
    | 'leads'
    | 'opportunities'
    | 'board'
    | 'overview'
    | 'atRisk'
    | 'calendar'
    | 'tasks'
    | 'pipeline'
    | 'pipelines'
    | 'competitors'
    | 'products'
    | 'quotes'
    | 'quoteSettings'
    | 'company'
    | 'departments'
    | 'users'
    | 'audit'
    | 'workReports'
    | 'jobs';
  href: string;
  group: NavGroup;
  roles: readonly Role[];
  icon: string;
}

const ALL: readonly Role[] = ['admin', 'general_manager', 'sales_director', 'sales_manager', 'sales_rep'];
const SALES: readonly Role[] = ['general_manager', 'sales_director', 'sales_manager', 'sales_rep'];

/** Every page in the navigation, in order, with who may open it. Modules add themselves here as they land. */
export const MODULES: readonly Module[] = [
  { key: 'home', href: '/', group: 'top', roles: ALL, icon: 'home' },
  { key: 'customers', href: '/customers', group: 'customers', roles: SALES, icon: 'company' },
  { key: 'pool', href: '/customers/pool', group: 'customers', roles: SALES, icon: 'pool' },
  { key: 'contacts', href: '/contacts', group: 'customers', roles: SALES, icon: 'me' },
  { key: 'leads', href: '/leads', group: 'customers', roles: SALES, icon: 'lead' },
  { key: 'opportunities', href: '/opportunities', group: 'opportunities', roles: SALES, icon: 'deal' },
  { key: 'board', href: '/opportunities/board', group: 'opportunities', roles: SALES, icon: 'board' },
  { key: 'overview', href: '/opportunities/overview', group: 'opportunities', roles: SALES, icon: 'table' },
  { key: 'atRisk', href: '/opportunities/at-risk', group: 'opportunities', roles: ['general_manager', 'sales_director', 'sales_manager'], icon: 'alert' },
  { key: 'quotes', href: '/quotes', group: 'opportunities', roles: SALES, icon: 'log' },
  { key: 'products', href: '/products', group: 'opportunities', roles: ALL, icon: 'table' },
  { key: 'calendar', href: '/calendar', group: 'sales', roles: SALES, icon: 'calendar' },
  { key: 'tasks', href: '/tasks', group: 'sales', roles: SALES, icon: 'task' },
  { key: 'pipeline', href: '/pipeline', group: 'reports', roles: SALES, icon: 'funnel' },
  { key: 'workReports', href: '/reports/work', group: 'reports', roles: SALES, icon: 'log' },
  { key: 'pipelines', href: '/settings/pipelines', group: 'settings', roles: ['sales_director', 'admin'], icon: 'tree' },
  { key: 'competitors', href: '/settings/competitors', group: 'settings', roles: ['sales_director', 'admin'], icon: 'log' },
  { key: 'quoteSettings', href: '/settings/quotes', group: 'settings', roles: ['sales_director', 'admin'], icon: 'log' },
  { key: 'company', href: '/admin/company', group: 'settings', roles: ['admin'], icon: 'company' },
  { key: 'departments', href: '/admin/departments', group: 'settings', roles: ['admin'], icon: 'tree' },
  { key: 'users', href: '/admin/users', group: 'settings', roles: ['admin'], icon: 'users' },
  { key: 'audit', href: '/admin/audit', group: 'settings', roles: ['admin'], icon: 'log' },
  { key: 'jobs', href: '/admin/jobs', group: 'settings', roles: ['admin'], icon: 'calendar' },
];

export function modulesFor(role: Role): Module[] {
  return MODULES.filter((m) => m.roles.includes(role));
}

export interface NavSection {
  group: NavGroup;
  items: Module[];
}

/** The left navigation: modules grouped, empty groups left out. */
export function navFor(role: Role): NavSection[] {
  const sections: NavSection[] = [];
  for (const m of modulesFor(role)) {
    let s = sections.find((x) => x.group === m.group);
    if (!s) sections.push((s = { group: m.group, items: [] }));
    s.items.push(m);
  }
  return sections;
}
