import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** UTC ISO-8601 text, e.g. 2026-11-27T02:46:41.000Z */
export type Timestamp = string;

export const ROLES = ['admin', 'general_manager', 'sales_director', 'sales_manager', 'sales_rep'] as const;
export type Role = (typeof ROLES)[number];
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface CompanyTable {
  id: number;
  name: string;
  address: ColumnType<string, string | undefined, string>;
  postal_code: ColumnType<string, string | undefined, string>;
  phone: ColumnType<string, string | undefined, string>;
  tax_id: ColumnType<string, string | undefined, string>;
  bank_name: ColumnType<string, string | undefined, string>;
  bank_account: ColumnType<string, string | undefined, string>;
  logo: Buffer | null;
  logo_mime: string | null;
  time_zone: ColumnType<string, string | undefined, string>;
  currency: ColumnType<string, string | undefined, string>;
  /** Days without activity after which a customer returns to the public pool (migration 0003). */
  pool_days: ColumnType<number, number | undefined, number>;
  /** How many customers one rep may hold when claiming from the pool (migration 0003). */
  pool_claim_limit: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DepartmentTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  path: ColumnType<string, string | undefined, string>;
  manager_id: number | null;
  sort_order: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  email: ColumnType<string, string | undefined, string>;
  phone: ColumnType<string, string | undefined, string>;
  department_id: number | null;
  role: Role;
  active: ColumnType<number, number | undefined, number>;
  password_hash: string;
  must_change_password: ColumnType<number, number | undefined, number>;
  language: ColumnType<Language, Language | undefined, Language>;
  last_login_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionTable {
  id: string;
  user_id: number;
  expires_at: Timestamp;
  created_at: Timestamp;
  ip: ColumnType<string, string | undefined, string>;
  user_agent: ColumnType<string, string | undefined, string>;
}

export interface LoginFailureTable {
  id: Generated<number>;
  username: string;
  ip: string;
  at: Timestamp;
}

export interface RecordMemberTable {
  entity: string;
  record_id: number;
  user_id: number;
  role: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: number | null;
  summary: ColumnType<string, string | undefined, string>;
  /** JSON: { field: [before, after] } */
  changes: ColumnType<string, string | undefined, string>;
  ip: ColumnType<string, string | undefined, string>;
}

export const CUSTOMER_TYPES = ['enterprise', 'government', 'individual'] as const;
export const CUSTOMER_SOURCES = ['referral', 'exhibition', 'website', 'cold_call', 'campaign', 'other'] as const;
export const CUSTOMER_GRADES = ['A', 'B', 'C'] as const;
export const LIFECYCLE_STAGES = ['prospect', 'new', 'satisfied', 'retained', 'loyal'] as const;
export const CUSTOMER_SIZES = ['1-49', '50-199', '200-999', '1000+'] as const;
export const CONTACT_KINDS = ['customer', 'public_relations'] as const;
export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'disqualified'] as const;
export const ACTIVITY_TYPES = ['visit', 'call', 'meeting', 'email', 'task', 'note'] as const;
export const ACTIVITY_STATUSES = ['planned', 'done', 'cancelled'] as const;

type Text = ColumnType<string, string | undefined, string>;

export interface CustomerTable {
  id: Generated<number>;
  name: string;
  short_name: Text;
  type: Text;
  credit_code: string | null;
  industry: Text;
  province: Text;
  city: Text;
  address: Text;
  postal_code: Text;
  phone: Text;
  website: Text;
  size: Text;
  source: Text;
  grade: Text;
  lifecycle: Text;
  notes: Text;
  /** NULL = in the public pool. */
  owner_id: number | null;
  pooled_at: string | null;
  last_activity_at: string | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerTagTable {
  customer_id: number;
  tag: string;
}

export interface ContactTable {
  id: Generated<number>;
  kind: Text;
  customer_id: number | null;
  name: string;
  gender: Text;
  title: Text;
  department: Text;
  organisation: Text;
  mobile: Text;
  phone: Text;
  email: Text;
  wechat: Text;
  address: Text;
  postal_code: Text;
  birthday: string | null;
  notes: Text;
  owner_id: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactKeyDateTable {
  id: Generated<number>;
  contact_id: number;
  label: string;
  date: string;
  yearly: ColumnType<number, number | undefined, number>;
}

export interface LeadTable {
  id: Generated<number>;
  source: Text;
  company: Text;
  person: string;
  title: Text;
  mobile: Text;
  phone: Text;
  email: Text;
  wechat: Text;
  province: Text;
  city: Text;
  address: Text;
  industry: Text;
  status: Text;
  disqualify_reason: Text;
  notes: Text;
  owner_id: number;
  converted_at: string | null;
  customer_id: number | null;
  contact_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ActivityTable {
  id: Generated<number>;
  type: string;
  subject: string;
  starts_at: Timestamp;
  duration_minutes: ColumnType<number, number | undefined, number>;
  status: Text;
  location: Text;
  outcome: Text;
  next_step: Text;
  remind_at: string | null;
  completed_at: string | null;
  customer_id: number | null;
  contact_id: number | null;
  lead_id: number | null;
  owner_id: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SavedViewTable {
  id: Generated<number>;
  user_id: number;
  entity: string;
  name: string;
  query: string;
  created_at: Timestamp;
}

export interface DB {
  customers: CustomerTable;
  customer_tags: CustomerTagTable;
  contacts: ContactTable;
  contact_key_dates: ContactKeyDateTable;
  leads: LeadTable;
  activities: ActivityTable;
  saved_views: SavedViewTable;
  company: CompanyTable;
  departments: DepartmentTable;
  users: UserTable;
  sessions: SessionTable;
  login_failures: LoginFailureTable;
  record_members: RecordMemberTable;
  audit_log: AuditLogTable;
}

export type Company = Selectable<CompanyTable>;
export type Department = Selectable<DepartmentTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type AuditEntry = Selectable<AuditLogTable>;
