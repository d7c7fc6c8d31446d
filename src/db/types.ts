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

export interface DB {
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
