import { once, type EventEmitter } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Decimal, decimal } from './money.js';

/**
 * Tables as the files finance tools open: CSV in UTF-8 with a byte-order mark (Excel on Chinese
 * Windows reads it right), CSV in GBK on request (older Kingdee and Yonyou importers), and XLSX
 * (exceljs). Written as rows arrive, page by page, so a file of any length takes bounded memory.
 * Column names are the GraphQL field paths (`total.gross.amount`).
 */
export type TableFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf-8' | 'gbk';

/**
 * What a cell holds. `money` is an amount rounded to the minor unit ("1234.50"): a number cell
 * with two decimals in XLSX, the same text in CSV. `exact` is a decimal of any length, kept as
 * text everywhere (a spreadsheet number has 15 significant digits).
 */
export type ColumnKind = 'text' | 'integer' | 'money' | 'exact';

export interface Column<Row> {
  name: string;
  kind?: ColumnKind;
  value(row: Row): string | number | null | undefined;
}

export interface Table<Row> {
  /** The XLSX sheet's name. */
  sheet: string;
  columns: Column<Row>[];
  /** Pages of rows, in order. */
  rows: AsyncIterable<Row[]>;
}

/** A table whose rows are all at hand (a report, a statement), as one page. */
export function tableOfRows<Row>(sheet: string, columns: Column<Row>[], rows: Row[]): Table<Row> {
  return {
    sheet,
    columns,
    rows: (async function* () {
      yield rows;
    })(),
  };
}

/** One table as CSV: UTF-8 with a BOM, or GBK (characters GBK lacks become "?"). Ends `out`. */
export async function writeCsv<Row>(out: Writable, table: Table<Row>, encoding: TextEncoding): Promise<void> {
  async function* records() {
    for await (const page of table.rows) for (const row of page) yield table.columns.map((column) => csvCell(column, row));
  }
  const csv = stringify({ header: true, columns: table.columns.map((column) => column.name), bom: encoding === 'utf-8' });
  if (encoding === 'gbk') await pipeline(Readable.from(records()), csv.setEncoding('utf8'), iconv.encodeStream('gbk'), out);
  else await pipeline(Readable.from(records()), csv, out);
}

function csvCell<Row>(column: Column<Row>, row: Row): string {
  const value = column.value(row);
  return value === null || value === undefined ? '' : String(value);
}

/** Tables as the sheets of one XLSX workbook: a bold, frozen header row, amounts as numbers with two decimals. */
export async function writeXlsx(out: Writable, tables: Table<unknown>[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((column) => ({
      header: column.name,
      width: Math.min(40, Math.max(12, column.name.length + 2)),
      style: column.kind === 'money' ? { numFmt: '#,##0.00' } : column.kind === 'integer' ? { numFmt: '0' } : {},
    }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    for await (const page of table.rows) {
      for (const row of page) sheet.addRow(table.columns.map((column) => xlsxCell(column, row))).commit();
      await zipCaughtUp(sheet);
      // exceljs writes on whatever the reader's pace: wait for a slow one here, or the file piles up in memory.
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    sheet.commit();
  }
  await workbook.commit();
}

/** What the zip may hold of a sheet's XML not yet compressed before more rows wait. */
const ZIP_INPUT_LIMIT = 1024 * 1024;

/**
 * Waits until the zip has compressed what the sheet gave it. exceljs's worksheet stream writes into
 * the zip's input (a readable-stream PassThrough) without heeding its backpressure, so rows made
 * faster than zlib compresses them pile up there: a period's 50,000 bill lines held ~140 MB. The
 * input is exceljs's internal; if a version moves it, this waits for nothing and bench (j)'s peak
 * RSS shows it.
 */
async function zipCaughtUp(sheet: ExcelJS.Worksheet): Promise<void> {
  type ZipInput = EventEmitter & { _writableState?: { length: number } };
  const input = (sheet as unknown as { stream?: { pipes?: ZipInput[] } }).stream?.pipes?.[0];
  if (input?._writableState && input._writableState.length > ZIP_INPUT_LIMIT) await once(input, 'drain');
}

function xlsxCell<Row>(column: Column<Row>, row: Row): string | number | null {
  const value = column.value(row);
  if (value === null || value === undefined || value === '') return null;
  if (column.kind === 'money') return spreadsheetAmount(String(value));
  if (column.kind === 'integer') return typeof value === 'number' ? value : Number(value);
  return String(value);
}

/**
 * An amount in the minor unit as the number a spreadsheet cell holds (a double): refused unless
 * the double reads back as exactly the same amount, so no fen is ever lost on the way.
 */
export function spreadsheetAmount(amount: string): number {
  const value = Number(amount);
  if (!Number.isFinite(value) || !new Decimal(value).eq(decimal(amount))) throw new RangeError(`${amount} does not fit a spreadsheet number exactly`);
  return value;
}
