/**
 * What document extraction produces and how it fails. Extraction turns an uploaded file (or a
 * crawled web page) into plain-text sections in reading order; the chunker splits them later.
 * Failures carry a code the dashboard maps to user text (i18n key `knowledge.error.<code>`); the
 * message is for developers and logs.
 */
export type DocumentFormat = 'pdf' | 'docx' | 'txt' | 'md' | 'csv' | 'html';

export interface ExtractedSection {
  /** Plain text; lines separated by `\n`, paragraphs by a blank line. Never includes the heading itself. */
  text: string;
  /**
   * The heading path the section sits under, outermost first, joined by `HEADING_SEPARATOR`
   * ("Pengiriman › Ongkir"). For CSV: the row's first cell. For PDF: headings detected from
   * larger type. Absent before the first heading.
   */
  heading?: string;
  /** 1-based page number (PDF only). */
  page?: number;
}

export interface ExtractedDocument {
  format: DocumentFormat;
  title?: string;
  sections: ExtractedSection[];
}

/** Joins the levels of a heading path. */
export const HEADING_SEPARATOR = ' › ';

export type ExtractionErrorCode = 'too_large' | 'unsupported_type' | 'encrypted' | 'no_text' | 'empty' | 'corrupt';

export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';

  constructor(
    readonly code: ExtractionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
