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
  /** Anomaly alert thresholds (migration 0010): days without activity, × typical stage time, % amount drop, push-outs. */
  alert_idle_days: ColumnType<number, number | undefined, number>;
  alert_stage_multiple: ColumnType<number, number | undefined, number>;
  alert_amount_drop_pct: ColumnType<number, number | undefined, number>;
  alert_pushouts: ColumnType<number, number | undefined, number>;
  /** Quote settings (migration 0011): number pattern, approval thresholds in basis points, validity and default terms. */
  quote_number_pattern: ColumnType<string, string | undefined, string>;
  quote_manager_threshold_bp: ColumnType<number, number | undefined, number>;
  quote_director_threshold_bp: ColumnType<number, number | undefined, number>;
  quote_validity_days: ColumnType<number, number | undefined, number>;
  quote_payment_terms: ColumnType<string, string | undefined, string>;
  quote_delivery_terms: ColumnType<string, string | undefined, string>;
  quote_warranty_terms: ColumnType<string, string | undefined, string>;
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
  /** Unread in-app notifications, kept in step by notify/mark-read (migration 0012) so the bell costs no query. */
  unread_notifications: ColumnType<number, number | undefined, number>;
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
  opportunity_id: ColumnType<number | null, number | null | undefined, number | null>;
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
  opportunity_id: ColumnType<number | null, number | null | undefined, number | null>;
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

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
export const COMMITTEE_ROLES = ['decision_maker', 'approver', 'technical_evaluator', 'business_user', 'influencer', 'gatekeeper', 'coach'] as const;
export const ATTITUDES = ['supporter', 'neutral', 'opponent'] as const;
export const INFLUENCE_LEVELS = ['high', 'medium', 'low'] as const;
type Int = ColumnType<number, number | undefined, number>;

export interface PipelineTable {
  id: Generated<number>;
  name: string;
  is_default: Int;
  active: Int;
  sort_order: Int;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PipelineStageTable {
  id: Generated<number>;
  pipeline_id: number;
  name: string;
  sort_order: number;
  /** 0–100 */
  probability: Int;
  expected_days: Int;
  /** open, won, lost */
  kind: Text;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StageExitCriterionTable {
  id: Generated<number>;
  stage_id: number;
  label: string;
  sort_order: Int;
}

export interface StageTaskTemplateTable {
  id: Generated<number>;
  stage_id: number;
  subject: string;
  due_days: Int;
  sort_order: Int;
}

export interface CompetitorTable {
  id: Generated<number>;
  name: string;
  website: Text;
  notes: Text;
  active: Int;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OpportunityTable {
  id: Generated<number>;
  name: string;
  customer_id: number;
  pipeline_id: number;
  stage_id: number;
  /** open, won, lost */
  status: Text;
  amount_fen: Int;
  probability: Int;
  /** YYYY-MM-DD */
  expected_close_date: string;
  source: Text;
  next_step: Text;
  description: Text;
  close_reason: Text;
  closed_at: string | null;
  lead_id: number | null;
  owner_id: number;
  stage_entered_at: Timestamp;
  last_activity_at: string | null;
  /** From when the deal carries an anomaly flag (src/features/alerts): null while not computed or closed. */
  risk_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OpportunityStageHistoryTable {
  id: Generated<number>;
  opportunity_id: number;
  from_stage_id: number | null;
  to_stage_id: number;
  changed_at: Timestamp;
  changed_by: number | null;
  amount_fen: number;
  expected_close_date: string;
  days_in_from_stage: number | null;
}

export interface OpportunityCriteriaCheckTable {
  opportunity_id: number;
  criterion_id: number;
  checked_by: number | null;
  checked_at: Timestamp;
}

export interface OpportunityCompetitorTable {
  opportunity_id: number;
  competitor_id: number;
}

export interface OpportunityContactTable {
  id: Generated<number>;
  opportunity_id: number;
  contact_id: number;
  role: string;
  attitude: Text;
  influence: Text;
  reports_to_id: number | null;
  notes: Text;
  created_at: Timestamp;
  updated_at: Timestamp;
}

// Jobs, mail, notifications and work reports (migration 0012).
export interface JobRunTable {
  id: Generated<number>;
  job: string;
  slot: string;
  status: string;
  attempts: Int;
  items: Int;
  error: Text;
  started_at: Timestamp;
  finished_at: string | null;
  lease_until: string | null;
  next_attempt_at: string | null;
  holder: Text;
  triggered_by: number | null;
}

export interface MailMessageTable {
  id: Generated<number>;
  to_address: string;
  to_name: Text;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: Text;
  error: Text;
  attempts: Int;
  next_attempt_at: string;
  sent_at: string | null;
  delivered_via: Text;
  user_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailAttachmentTable {
  id: Generated<number>;
  mail_id: number;
  filename: string;
  content_type: string;
  content: Buffer;
  size: number;
}

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  title: string;
  body: Text;
  link: Text;
  read_at: string | null;
  created_at: Timestamp;
}

export interface NotificationPreferenceTable {
  user_id: number;
  kind: string;
  in_app: number;
  email: number;
}

export interface NotificationKeyTable {
  key: string;
  created_at: Timestamp;
}

export interface WorkReportTable {
  id: Generated<number>;
  user_id: number;
  period: string;
  period_start: string;
  period_end: string;
  figures: string;
  summary: Text;
  plan: Text;
  submitted_at: string | null;
  generated_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkReportCommentTable {
  id: Generated<number>;
  report_id: number;
  author_id: number;
  body: string;
  created_at: Timestamp;
}

export const QUOTE_STATUSES = ['draft', 'pending_approval', 'approved', 'sent', 'accepted', 'rejected', 'expired'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];
export const TAX_MODES = ['inclusive', 'exclusive'] as const;
export type TaxMode = (typeof TAX_MODES)[number];

/** A product and its price book entry (migration 0011). Prices include VAT; rates are basis points (1300 = 13%). */
export interface ProductTable {
  id: Generated<number>;
  code: string;
  name: string;
  spec: Text;
  unit: Text;
  category: Text;
  list_price_fen: Int;
  floor_price_fen: Int;
  tax_rate_bp: Int;
  active: Int;
  description: Text;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface QuoteCounterTable {
  year: number;
  last: number;
}

/** One revision of a quote (migration 0011): the number stays, `revision` counts v1, v2…; `latest` marks the newest. */
export interface QuoteTable {
  id: Generated<number>;
  number: string;
  revision: Int;
  latest: Int;
  customer_id: number;
  contact_id: number | null;
  opportunity_id: number | null;
  owner_id: number;
  status: ColumnType<QuoteStatus, QuoteStatus | undefined, QuoteStatus>;
  quote_date: string;
  valid_until: string;
  tax_mode: ColumnType<TaxMode, TaxMode | undefined, TaxMode>;
  subtotal_fen: Int;
  tax_fen: Int;
  total_fen: Int;
  list_total_fen: Int;
  discount_bp: Int;
  below_floor: Int;
  approval_level: Text;
  approver_id: ColumnType<number | null, number | null | undefined, number | null>;
  approved_by: ColumnType<number | null, number | null | undefined, number | null>;
  approved_at: ColumnType<string | null, string | null | undefined, string | null>;
  submitted_at: ColumnType<string | null, string | null | undefined, string | null>;
  sent_at: ColumnType<string | null, string | null | undefined, string | null>;
  closed_at: ColumnType<string | null, string | null | undefined, string | null>;
  payment_terms: Text;
  delivery_terms: Text;
  warranty_terms: Text;
  notes: Text;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface QuoteLineTable {
  id: Generated<number>;
  quote_id: number;
  position: number;
  product_id: number | null;
  name: string;
  spec: Text;
  unit: Text;
  quantity_milli: number;
  unit_price_fen: number;
  discount_bp: Int;
  tax_rate_bp: Int;
  list_price_fen: Int;
  floor_price_fen: Int;
  effective_unit_fen: Int;
  net_fen: Int;
  tax_fen: Int;
  amount_fen: Int;
  below_floor: Int;
}

export interface QuoteEventTable {
  id: Generated<number>;
  quote_id: number;
  at: Timestamp;
  user_id: number | null;
  kind: string;
  comment: Text;
}

/** migrations/0022: deals counted and summed by owner (0 = the whole company), pipeline, stage and close month. */
export interface DealTotalsTable {
  owner_id: number;
  pipeline_id: number;
  close_month: string;
  stage_id: number;
  deals: number;
  amount_fen: number;
  /** Σ amount_fen × probability (percent): divided by 100 once, after summing, for a weighted amount in fen. */
  weighted_fen100: Generated<number>;
}

export interface DB {
  pipelines: PipelineTable;
  deal_totals: DealTotalsTable;
  pipeline_stages: PipelineStageTable;
  stage_exit_criteria: StageExitCriterionTable;
  stage_task_templates: StageTaskTemplateTable;
  competitors: CompetitorTable;
  opportunities: OpportunityTable;
  opportunity_stage_history: OpportunityStageHistoryTable;
  opportunity_criteria_checks: OpportunityCriteriaCheckTable;
  opportunity_competitors: OpportunityCompetitorTable;
  opportunity_contacts: OpportunityContactTable;
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
  job_runs: JobRunTable;
  mail_messages: MailMessageTable;
  mail_attachments: MailAttachmentTable;
  notifications: NotificationTable;
  notification_preferences: NotificationPreferenceTable;
  notification_keys: NotificationKeyTable;
  work_reports: WorkReportTable;
  work_report_comments: WorkReportCommentTable;
  products: ProductTable;
  quote_counters: QuoteCounterTable;
  quotes: QuoteTable;
  quote_lines: QuoteLineTable;
  quote_events: QuoteEventTable;
}

export type Company = Selectable<CompanyTable>;
export type Department = Selectable<DepartmentTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type AuditEntry = Selectable<AuditLogTable>;
