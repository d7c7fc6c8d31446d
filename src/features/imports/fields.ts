import {
  CUSTOMER_GRADES,
  CUSTOMER_SIZES,
  CUSTOMER_SOURCES,
  CUSTOMER_TYPES,
  LIFECYCLE_STAGES,
} from '../../db/types.ts';
import { messages, type Messages } from '../../i18n/index.ts';
import { PRODUCT_IMPORT_FIELDS } from '../products/import.ts';

/** The record types a file can be imported into; also the URL segment (/imports/customers). */
export const IMPORT_ENTITIES = ['customers', 'contacts', 'leads', 'products'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];

export const isImportEntity = (v: unknown): v is ImportEntity => typeof v === 'string' && (IMPORT_ENTITIES as readonly string[]).includes(v);

/**
 * A field of the record a column can be mapped to. `synonyms` are header texts (Chinese and English, compared
 * after normalising case, spaces and punctuation) that map to it automatically. `values` turns what people write
 * in a spreadsheet (企业, Enterprise, 转介绍) into the stored code; unknown text is passed on for the schema to refuse.
 */
export interface TargetField {
  key: string;
  required?: boolean;
  synonyms: readonly string[];
  values?: Readonly<Record<string, string>>;
  /** 'date': Excel dates and 1985/3/12, 1985年3月12日 become YYYY-MM-DD; 'province': 广东省 → 广东. */
  kind?: 'text' | 'date' | 'province';
}

const codes = <T extends readonly string[]>(list: T): Record<string, string> => Object.fromEntries(list.map((v) => [v, v]));

const CUSTOMER_FIELDS: readonly TargetField[] = [
  { key: 'name', required: true, synonyms: ['客户名称', '公司名称', '企业名称', '单位名称', '客户', '公司', '名称', '客户全称', '公司全称', 'name', 'customer', 'customer name', 'company', 'company name', 'account', 'account name'] },
  { key: 'short_name', synonyms: ['简称', '客户简称', '公司简称', 'short name', 'abbreviation', 'alias'] },
  {
    key: 'type',
    synonyms: ['客户类型', '类型', '性质', '客户性质', 'type', 'customer type'],
    values: { ...codes(CUSTOMER_TYPES), 企业: 'enterprise', 公司: 'enterprise', 企业客户: 'enterprise', 政府: 'government', 政府机关: 'government', 事业单位: 'government', 个人: 'individual', 个人客户: 'individual', company: 'enterprise', person: 'individual' },
  },
  { key: 'credit_code', synonyms: ['统一社会信用代码', '社会信用代码', '信用代码', '统一信用代码', '税号', '纳税人识别号', 'credit code', 'unified social credit code', 'uscc', 'tax id'] },
  {
    key: 'industry',
    synonyms: ['行业', '所属行业', '行业类别', 'industry', 'sector'],
    values: {
      IT: 'it', 互联网: 'it', 软件: 'it', 信息技术: 'it', 计算机: 'it', 通信: 'it', 制造: 'manufacturing', 制造业: 'manufacturing', 工业: 'manufacturing',
      金融: 'finance', 银行: 'finance', 保险: 'finance', 证券: 'finance', 零售: 'retail', 批发零售: 'retail', 商贸: 'retail', 医疗: 'healthcare', 医药: 'healthcare',
      医疗健康: 'healthcare', 教育: 'education', 培训: 'education', 建筑: 'construction', 房地产: 'construction', 地产: 'construction', 建筑地产: 'construction',
      能源: 'energy', 电力: 'energy', 化工: 'energy', 物流: 'logistics', 交通: 'logistics', 交通物流: 'logistics', 运输: 'logistics', 农业: 'agriculture',
      农林牧渔: 'agriculture', 媒体: 'media', 传媒: 'media', 文化传媒: 'media', 广告: 'media', 政府: 'government', 公共事业: 'government', 其他: 'other', 其它: 'other',
    },
  },
  { key: 'province', kind: 'province', synonyms: ['省份', '省', '省/直辖市', '所在省份', '地区', 'province', 'state', 'region'] },
  { key: 'city', synonyms: ['城市', '市', '所在城市', 'city'] },
  { key: 'address', synonyms: ['地址', '详细地址', '公司地址', '办公地址', '通讯地址', 'address', 'street', 'street address'] },
  { key: 'postal_code', synonyms: ['邮编', '邮政编码', 'postal code', 'postcode', 'zip', 'zip code'] },
  { key: 'phone', synonyms: ['电话', '公司电话', '联系电话', '座机', '总机', 'phone', 'telephone', 'tel', 'phone number'] },
  { key: 'website', synonyms: ['网站', '网址', '公司网站', '官网', 'website', 'web', 'url', 'homepage'] },
  {
    key: 'size',
    synonyms: ['规模', '人员规模', '公司规模', '员工人数', '人数', 'size', 'company size', 'employees'],
    values: { ...codes(CUSTOMER_SIZES), '1-49人': '1-49', '50-199人': '50-199', '200-999人': '200-999', '1000人以上': '1000+', '1000+人': '1000+' },
  },
  {
    key: 'source',
    synonyms: ['来源', '客户来源', '获客渠道', '渠道', 'source', 'lead source', 'channel'],
    values: { ...codes(CUSTOMER_SOURCES), 转介绍: 'referral', 介绍: 'referral', 推荐: 'referral', 客户推荐: 'referral', 展会: 'exhibition', 会展: 'exhibition', 网站: 'website', 官网: 'website', 网络: 'website', 陌生拜访: 'cold_call', 电话营销: 'cold_call', 陌拜: 'cold_call', 'cold call': 'cold_call', 营销活动: 'campaign', 市场活动: 'campaign', 活动: 'campaign', 其他: 'other', 其它: 'other' },
  },
  {
    key: 'grade',
    synonyms: ['价值等级', '客户等级', '等级', '级别', '客户级别', 'grade', 'value grade', 'rating', 'tier'],
    values: { ...codes(CUSTOMER_GRADES), a: 'A', b: 'B', c: 'C', A类: 'A', B类: 'B', C类: 'C', A级: 'A', B级: 'B', C级: 'C' },
  },
  {
    key: 'lifecycle',
    synonyms: ['生命周期', '阶段', '客户阶段', '生命周期阶段', '客户状态', 'lifecycle', 'lifecycle stage', 'stage'],
    values: { ...codes(LIFECYCLE_STAGES), 潜在: 'prospect', 潜在客户: 'prospect', 新: 'new', 新客户: 'new', 满意: 'satisfied', 满意客户: 'satisfied', 留住: 'retained', 留住客户: 'retained', 老客户: 'loyal', 忠诚客户: 'loyal' },
  },
  { key: 'tags', synonyms: ['标签', '客户标签', 'tags', 'tag', 'labels'] },
  { key: 'notes', synonyms: ['备注', '说明', '描述', '备注信息', 'notes', 'note', 'remarks', 'comments', 'description'] },
];

const CONTACT_FIELDS: readonly TargetField[] = [
  { key: 'name', required: true, synonyms: ['姓名', '联系人', '联系人姓名', '名字', '名称', 'name', 'contact', 'contact name', 'full name'] },
  { key: 'customer', synonyms: ['客户名称', '所属客户', '客户', '公司名称', '公司', '单位', '单位名称', 'customer', 'company', 'account', 'organization', 'organisation'] },
  // Public-relations contacts are tied to no customer; their organisation is free text.
  { key: 'organisation', synonyms: ['公关单位', '公关联系人单位', '所在机构', '机构', 'pr organisation', 'pr organization', 'institution'] },
  { key: 'gender', synonyms: ['性别', 'gender', 'sex'], values: { 男: 'male', 女: 'female', male: 'male', female: 'female', m: 'male', f: 'female', 先生: 'male', 女士: 'female' } },
  { key: 'title', synonyms: ['职务', '职位', '头衔', 'title', 'job title', 'position'] },
  { key: 'department', synonyms: ['部门', '所在部门', 'department', 'dept'] },
  { key: 'mobile', synonyms: ['手机', '手机号', '手机号码', '移动电话', 'mobile', 'mobile phone', 'cell', 'cellphone', 'cell phone'] },
  { key: 'phone', synonyms: ['电话', '办公电话', '座机', '固定电话', '联系电话', 'phone', 'telephone', 'tel', 'office phone', 'work phone'] },
  { key: 'email', synonyms: ['邮箱', '电子邮箱', '电子邮件', '邮件', 'email', 'e-mail', 'mail', 'email address'] },
  { key: 'wechat', synonyms: ['微信', '微信号', 'wechat', 'weixin', 'wechat id'] },
  { key: 'address', synonyms: ['地址', '通讯地址', '邮寄地址', '联系地址', 'address', 'postal address', 'mailing address'] },
  { key: 'postal_code', synonyms: ['邮编', '邮政编码', 'postal code', 'postcode', 'zip', 'zip code'] },
  { key: 'birthday', kind: 'date', synonyms: ['生日', '出生日期', '出生年月日', 'birthday', 'birth date', 'date of birth', 'dob'] },
  { key: 'notes', synonyms: ['备注', '说明', '备注信息', 'notes', 'note', 'remarks', 'comments'] },
];

const LEAD_FIELDS: readonly TargetField[] = [
  { key: 'person', required: true, synonyms: ['姓名', '联系人', '联系人姓名', '名字', 'name', 'person', 'contact', 'contact name', 'full name'] },
  { key: 'company', synonyms: ['公司', '公司名称', '单位', '单位名称', '企业名称', '客户名称', 'company', 'company name', 'organization', 'organisation', 'account'] },
  { key: 'title', synonyms: ['职务', '职位', '头衔', 'title', 'job title', 'position'] },
  { key: 'mobile', synonyms: ['手机', '手机号', '手机号码', '移动电话', 'mobile', 'mobile phone', 'cell', 'cellphone', 'cell phone'] },
  { key: 'phone', synonyms: ['电话', '办公电话', '座机', '固定电话', '联系电话', 'phone', 'telephone', 'tel'] },
  { key: 'email', synonyms: ['邮箱', '电子邮箱', '电子邮件', '邮件', 'email', 'e-mail', 'mail', 'email address'] },
  { key: 'wechat', synonyms: ['微信', '微信号', 'wechat', 'weixin', 'wechat id'] },
  {
    key: 'source',
    synonyms: ['来源', '线索来源', '渠道', '获客渠道', 'source', 'lead source', 'channel'],
    values: CUSTOMER_FIELDS.find((f) => f.key === 'source')!.values!,
  },
  { key: 'province', kind: 'province', synonyms: ['省份', '省', '地区', '所在省份', 'province', 'state', 'region'] },
  { key: 'city', synonyms: ['城市', '市', '所在城市', 'city'] },
  { key: 'address', synonyms: ['地址', '详细地址', '公司地址', 'address', 'street'] },
  { key: 'industry', synonyms: ['行业', '所属行业', 'industry', 'sector'], values: CUSTOMER_FIELDS.find((f) => f.key === 'industry')!.values! },
  { key: 'notes', synonyms: ['备注', '说明', '需求', '备注信息', 'notes', 'note', 'remarks', 'comments'] },
];

export const TARGET_FIELDS: Record<ImportEntity, readonly TargetField[]> = {
  customers: CUSTOMER_FIELDS,
  contacts: CONTACT_FIELDS,
  leads: LEAD_FIELDS,
  products: PRODUCT_IMPORT_FIELDS,
};

/** Field → column index in the file (absent: not imported). */
export type Mapping = Record<string, number>;

/** Header text as compared: lower case, without spaces, punctuation, "*" marks and bracketed hints like （必填）. */
export function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[(（[【].*?[)）\]】]/g, '')
    .replace(/[\s*_\-:：.·/]/g, '');
}

/**
 * The automatic mapping: a field takes a header equal to one of its synonyms, and a column serves one field.
 * Synonyms are listed most specific first; matches are assigned in that order across all fields, so a generic
 * synonym (名称, 公司) never takes a column another field names exactly.
 */
export function autoMapping(entity: ImportEntity, headers: readonly string[]): Mapping {
  const normalised = headers.map(normaliseHeader);
  const candidates: { field: string; rank: number; order: number; col: number }[] = [];
  TARGET_FIELDS[entity].forEach((field, order) => {
    field.synonyms.forEach((syn, rank) => {
      const col = normalised.indexOf(normaliseHeader(syn));
      if (col >= 0) candidates.push({ field: field.key, rank, order, col });
    });
  });
  candidates.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const used = new Set<number>();
  const mapping: Mapping = {};
  for (const c of candidates) {
    if (c.field in mapping || used.has(c.col)) continue;
    mapping[c.field] = c.col;
    used.add(c.col);
  }
  return mapping;
}

/**
 * A cell as it will be imported. Never a formula: CSV cells are text already, and the apostrophe a spreadsheet
 * (or our own export) puts before =, +, - or @ to keep them text is dropped, leaving the plain text.
 */
export function cellText(raw: string | undefined): string {
  const v = (raw ?? '').trim();
  return /^'[=+\-@]/.test(v) ? v.slice(1) : v;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 1985-03-12, 1985/3/12, 1985.3.12, 1985年3月12日 and Excel date cells → YYYY-MM-DD; anything else unchanged. */
export function normaliseDate(v: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(v);
  if (m) return `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`;
  // An Excel date cell as the reader renders it ("Tue Mar 12 1985 00:00:00 GMT+0000 …"): Excel dates carry no
  // zone, and the reader keeps them at UTC midnight.
  if (/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{4} \d{2}:\d{2}:\d{2} GMT/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }
  return v;
}

/** The labels the owners' dictionaries give coded values (zh-CN and en), so 政府机构 or Government are understood too. */
export function valueLabels(t: Messages, entity: ImportEntity, key: string): Readonly<Record<string, string>> | undefined {
  if (entity === 'customers') {
    const c = t.customers;
    const table: Record<string, Readonly<Record<string, string>>> = { type: c.types, source: c.sources, grade: c.grades, lifecycle: c.lifecycles, size: c.sizes, industry: c.industries };
    return table[key];
  }
  if (entity === 'contacts' && key === 'gender') return t.contacts.genders;
  if (entity === 'leads' && key === 'source') return t.leads.sources;
  if (entity === 'leads' && key === 'industry') return t.customers.industries;
  if (entity === 'products' && key === 'active') return { '1': t.products.active, '0': t.products.inactive };
  return undefined;
}

const squashValue = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[\s–—-]+/g, '');

const lookupCache = new Map<string, Map<string, string>>();

/** Text → code for one field: the field's own synonyms, then both languages' labels, compared case- and space-insensitively. */
function valueLookup(entity: ImportEntity, field: TargetField): Map<string, string> {
  const cacheKey = `${entity}.${field.key}`;
  let map = lookupCache.get(cacheKey);
  if (map) return map;
  map = new Map();
  for (const lang of ['zh-CN', 'en'] as const) {
    for (const [code, label] of Object.entries(valueLabels(messages(lang), entity, field.key) ?? {})) map.set(squashValue(label), code);
  }
  for (const [text, code] of Object.entries(field.values ?? {})) map.set(squashValue(text), code);
  lookupCache.set(cacheKey, map);
  return map;
}

/** 广东省 → 广东, 内蒙古自治区 → 内蒙古, 北京市 → 北京 (the stored province names carry no suffix). */
export function normaliseProvince(v: string): string {
  return v.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/, '') || v;
}

function normaliseValue(entity: ImportEntity, field: TargetField, v: string): string {
  if (v === '') return v;
  if (field.values || valueLabels(messages('zh-CN'), entity, field.key)) return valueLookup(entity, field).get(squashValue(v)) ?? v;
  if (field.kind === 'date') return normaliseDate(v);
  if (field.kind === 'province') return normaliseProvince(v);
  return v;
}

/** The mapped cells of one row as form values (field → text), codes in place of labels. */
export function rowValues(entity: ImportEntity, mapping: Mapping, row: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of TARGET_FIELDS[entity]) {
    const col = mapping[field.key];
    if (col === undefined) continue;
    out[field.key] = normaliseValue(entity, field, cellText(row[col]));
  }
  return out;
}

/** Tags as people type them in one cell: 重点, VIP；华东 → ['重点', 'VIP', '华东']. */
export function splitTags(v: string): string[] {
  return [...new Set(v.split(/[,，;；、|\n]+/).map((s) => s.trim()).filter(Boolean))];
}
