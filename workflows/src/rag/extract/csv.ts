/**
 * CSV (and tab/semicolon-separated) tables, typically a product or price list exported from a
 * spreadsheet. Each row becomes its own section written as "Header: value" lines, headed by the
 * row's first cell, so "berapa harga kain tulis sekar jagad?" finds the one row that answers it
 * with the column names alongside the values.
 */
import { parse } from 'csv-parse/sync';
import { csvShape } from './sniff';
import type { ExtractedDocument, ExtractedSection } from './types';
import { ExtractionError } from './types';

/** Rows beyond this make a source too large to be useful as chat knowledge (each row is a section). */
export const MAX_CSV_ROWS = 20_000;

export function extractCsv(text: string): ExtractedDocument {
  const delimiter = csvShape(text)?.delimiter ?? ',';
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      // One more than allowed, to tell "at the limit" from "over it" without parsing everything.
      to: MAX_CSV_ROWS + 2,
    }) as string[][];
  } catch (err) {
    throw new ExtractionError('corrupt', `The CSV file could not be parsed: ${(err as Error).message}`, { cause: err });
  }
  const rows = records.filter((r) => r.some((cell) => cell !== ''));
  if (rows.length > MAX_CSV_ROWS + 1) {
    throw new ExtractionError('too_large', `The CSV file has more than ${MAX_CSV_ROWS} rows; split it into smaller files.`);
  }
  const [header = [], ...body] = rows;
  const columnName = (i: number) => header[i] || `Column ${i + 1}`;

  const sections: ExtractedSection[] = [];
  for (const row of body) {
    const lines = row.flatMap((cell, i) => (cell === '' ? [] : [`${columnName(i)}: ${cell}`]));
    if (!lines.length) continue;
    const first = row[0];
    sections.push(first ? { text: lines.join('\n'), heading: first } : { text: lines.join('\n') });
  }
  // A file of one line is a value list rather than a header: keep it as plain text.
  if (records.length === 1 && header.length) sections.push({ text: header.filter(Boolean).join(' | ') });
  return { format: 'csv', sections };
}
