/**
 * CSV for spreadsheets: RFC 4180 quoting, CRLF line ends, and cells that a spreadsheet
 * would run as a formula (starting with = + - @ tab or CR) neutralised with a leading
 * apostrophe, since names and metadata come from the public.
 */
import type { SignupRow } from '../store/types';
import { iso } from './views';

export const CSV_COLUMNS = [
  'id',
  'created_at',
  'source',
  'state',
  'impression_id',
  'first_name',
  'last_name',
  'email',
  'profile_picture',
  'metadata',
  'delivered_at',
  'attempts',
  'failures',
  'last_error',
  'referral_id',
  'program_id',
  'student_id',
  'referral_status',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvHeader = () => `${CSV_COLUMNS.join(',')}\r\n`;

export function csvLine(row: SignupRow): string {
  const cells: (string | number | null)[] = [
    row.id,
    iso(row.created_at),
    row.source,
    row.state,
    row.impression_id,
    row.first_name,
    row.last_name,
    row.email,
    row.profile_picture,
    row.metadata,
    iso(row.delivered_at),
    row.attempts,
    row.failures,
    row.last_error,
    row.referral_id,
    row.program_id,
    row.student_id,
    row.referral_status,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}
