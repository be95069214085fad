/**
 * Real provider payloads (WhatsApp Cloud webhooks, Telegram updates) collected from public test
 * suites; each folder's index.md names the sources and what every file exercises. Kept in the
 * repository so the tests run on any clean checkout.
 */
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
