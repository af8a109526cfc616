import { createContext, useContext } from 'react';

export type Language = 'en' | 'zh';

const en = {
  title: 'Ops console',
  signIn: 'Sign in',
  signOut: 'Sign out',
  accessToken: 'Access token',
  tokenHint: 'An access token of your tenant (or the operator’s). It is kept for this browser tab only.',
  tenant: 'Tenant',
  spend: 'Live spend',
  alerts: 'Alerts',
  budgets: 'Budgets',
  settlement: 'Settlement runs',
  bills: 'Bills and invoices',
  scope: 'Scope',
  today: 'Today',
  thisMonth: 'This month',
  requests: 'requests',
  of: 'of',
  noLimit: 'no limit',
  live: 'Live: figures move as usage is recorded.',
  department: 'Department',
  apiKey: 'API key',
  acknowledge: 'Acknowledge',
  acknowledged: 'Acknowledged',
  raisedAt: 'Raised',
  message: 'Message',
  type: 'Type',
  noAlerts: 'No alerts.',
  period: 'Period',
  limit: 'Limit',
  hard: 'Hard (refuses calls)',
  soft: 'Alerts only',
  spent: 'Spent',
  setBudget: 'Set a budget',
  save: 'Save',
  daily: 'Daily',
  monthly: 'Monthly',
  status: 'Status',
  progress: 'Progress',
  billed: 'billed',
  skipped: 'skipped',
  failed: 'failed',
  started: 'Started',
  finished: 'Finished',
  settlePeriod: 'Settle a period',
  settle: 'Settle',
  operatorOnly: 'Settlement runs are the operator’s.',
  number: 'Number',
  total: 'Total',
  due: 'Due',
  documents: 'Documents',
  invoices: 'VAT invoices',
  issuedOn: 'Issued',
  bill: 'Bill',
  redLetter: 'red-letter',
  none: 'None yet.',
  language: '中文',
  loading: 'Loading…',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  title: '运营控制台',
  signIn: '登录',
  signOut: '退出',
  accessToken: '访问令牌',
  tokenHint: '您租户（或运营方）的访问令牌，仅保存在本浏览器标签页中。',
  tenant: '租户',
  spend: '实时消费',
  alerts: '告警',
  budgets: '预算',
  settlement: '结算批次',
  bills: '账单与发票',
  scope: '范围',
  today: '今日',
  thisMonth: '本月',
  requests: '次请求',
  of: '/',
  noLimit: '无限额',
  live: '实时：用量入账后数字随即更新。',
  department: '部门',
  apiKey: 'API 密钥',
  acknowledge: '确认',
  acknowledged: '已确认',
  raisedAt: '触发时间',
  message: '内容',
  type: '类型',
  noAlerts: '暂无告警。',
  period: '周期',
  limit: '限额',
  hard: '硬限额（拒绝调用）',
  soft: '仅告警',
  spent: '已消费',
  setBudget: '设置预算',
  save: '保存',
  daily: '每日',
  monthly: '每月',
  status: '状态',
  progress: '进度',
  billed: '已出账',
  skipped: '已跳过',
  failed: '失败',
  started: '开始',
  finished: '结束',
  settlePeriod: '结算一个账期',
  settle: '结算',
  operatorOnly: '结算批次仅限运营方。',
  number: '编号',
  total: '合计',
  due: '到期日',
  documents: '文件',
  invoices: '增值税发票',
  issuedOn: '开票日期',
  bill: '账单',
  redLetter: '红字',
  none: '暂无。',
  language: 'English',
  loading: '加载中…',
};

export const MESSAGES: Record<Language, Record<MessageKey, string>> = { en, zh };

export const LanguageContext = createContext<Language>('en');

/** The current language's text for a key. */
export function useText(): (key: MessageKey) => string {
  const language = useContext(LanguageContext);
  return (key) => MESSAGES[language][key];
}

/** The language the browser prefers, unless one was chosen here before. */
export function initialLanguage(): Language {
  const chosen = localStorage.getItem('console:language');
  if (chosen === 'en' || chosen === 'zh') return chosen;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** What the API's enum values say, in each language (an unknown value shows as it is). */
const ENUM_LABELS: Record<Language, Record<string, string>> = {
  en: {
    BALANCE_LOW: 'Balance low',
    BUDGET_EXHAUSTED: 'Budget exhausted',
    BUDGET_THRESHOLD: 'Budget threshold',
    FORECAST_OVER_BUDGET: 'Forecast over budget',
    SPEND_SPIKE: 'Spend spike',
    DRAFT: 'Draft',
    FINALIZED: 'Finalized',
    OVERDUE: 'Overdue',
    PAID: 'Paid',
    PARTIALLY_PAID: 'Partially paid',
    VOID: 'Void',
    NORMAL: 'Normal VAT invoice',
    SPECIAL: 'Special VAT invoice',
    COMPLETED: 'Completed',
    FAILED: 'Failed',
    INTERRUPTED: 'Interrupted',
    RUNNING: 'Running',
    ISSUED: 'Issued',
    REVERSED: 'Reversed',
  },
  zh: {
    BALANCE_LOW: '余额不足',
    BUDGET_EXHAUSTED: '预算用尽',
    BUDGET_THRESHOLD: '预算阈值',
    FORECAST_OVER_BUDGET: '预计超预算',
    SPEND_SPIKE: '消费突增',
    DRAFT: '草稿',
    FINALIZED: '已出账',
    OVERDUE: '已逾期',
    PAID: '已付清',
    PARTIALLY_PAID: '部分付款',
    VOID: '已作废',
    NORMAL: '增值税普通发票',
    SPECIAL: '增值税专用发票',
    COMPLETED: '已完成',
    FAILED: '失败',
    INTERRUPTED: '已中断',
    RUNNING: '进行中',
    ISSUED: '已开具',
    REVERSED: '已红冲',
  },
};

/** An enum value's label in the current language. */
export function useLabel(): (value: string) => string {
  const language = useContext(LanguageContext);
  return (value) => ENUM_LABELS[language][value] ?? value;
}
