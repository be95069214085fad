/**
 * What a customer's message asks for, beyond a question to look up: a person, a yes to the bot's
 * offer of one, or plain courtesy (a greeting, thanks). Rules over words, deliberately
 * conservative: a false "wants a human" takes a conversation from the bot for nothing.
 *
 * Decisions worth knowing:
 * - Naming a person is not asking for one. "apakah CS buka hari minggu?" asks about opening hours,
 *   "biaya admin berapa?" about a fee, "admin, jam berapa buka?" addresses the chat and asks a
 *   question the bot can answer: none of them hands off. A request needs a verb or modal before
 *   the noun ("mau bicara dengan CS", "bisa sama admin?", "talk to an agent") or a message that
 *   is nothing but the noun ("CS", "admin?", "CS dong", "human please", "ada admin?").
 * - "halo admin" is a greeting, not a request: a greeting plus a noun needs a request word too
 *   ("halo kak, CS dong").
 * - "orang"/"person" alone is too common ("untuk 2 orang"): it counts only after a verb of talking
 *   ("saya mau ngomong sama orang") or with "asli"/"real".
 * - "agen" also means a reseller: "ada agen di Surabaya?", "mau jadi agen" do not hand off.
 */
import { tokenize, wordSet } from './tokenize';

/** Nouns that on their own mean a human on the business's side. */
const HUMAN_NOUNS = wordSet([
  'cs', 'admin', 'agen', 'agent', 'operator', 'manusia', 'human', 'staf', 'staff', 'petugas',
  'karyawan', 'pegawai', 'representative', 'owner', 'pemilik',
]);
/** Nouns for "someone" that are too common to mean a request without a verb of talking. */
const VAGUE_PERSON_NOUNS = wordSet(['orang', 'seseorang', 'person', 'someone', 'somebody', 'people']);
/** "orang asli", "real person": these make a vague noun mean a human instead of the bot. */
const AUTHENTIC = wordSet(['asli', 'beneran', 'sungguhan', 'nyata', 'real', 'live', 'actual']);

const TALK_VERBS = wordSet([
  'bicara', 'berbicara', 'ngomong', 'omong', 'ngobrol', 'mengobrol', 'chat', 'chatting', 'hubungi',
  'menghubungi', 'hubungkan', 'dihubungkan', 'sambungkan', 'disambungkan', 'panggil', 'panggilkan',
  'oper', 'alihkan', 'dialihkan', 'dilayani', 'layani', 'talk', 'speak', 'connect', 'reach',
  'contact', 'call', 'forward', 'escalate',
  // Not "transfer": in Indonesian chat it is the bank transfer ("kirim bukti transfer ke admin").
]);
const REQUEST_WORDS = wordSet([
  'mau', 'ingin', 'butuh', 'perlu', 'bisa', 'tolong', 'mohon', 'minta', 'boleh', 'want', 'need',
  'can', 'could', 'would', 'like', 'let', 'get', 'give', 'please',
]);
const CONNECTORS = wordSet(['sama', 'dengan', 'ke', 'kepada', 'to', 'with']);
/** Words that may sit between the verb and the noun: "mau bicara dengan *salah satu* CS *saja*". */
const PHRASE_FILLERS = wordSet([
  'saya', 'aku', 'kami', 'i', 'me', 'my', 'we', 'us', 'a', 'an', 'the', 'your', 'one', 'some',
  'dong', 'aja', 'saja', 'ya', 'kak', 'min', 'sih', 'deh', 'langsung', 'segera', 'just', 'only',
  'yang', 'nya', 'lah', 'salah', 'satu',
]);
const REQUEST_PHRASE_WORDS = new Set([...TALK_VERBS, ...REQUEST_WORDS, ...CONNECTORS, ...PHRASE_FILLERS, ...AUTHENTIC]);

/** What may surround the noun when a message is only asking for a person: "admin dong", "ada CS?", "CS nya mana?". */
const BARE_REQUEST_WORDS = wordSet([
  'dong', 'aja', 'saja', 'ya', 'please', 'tolong', 'mohon', 'minta', 'sekarang', 'now', 'langsung',
  'segera', 'nya', 'the', 'a', 'an', 'sih', 'deh', 'nih', 'kak', 'min', 'yang', 'lah', 'ada', 'mana',
  'dimana', 'where', 'is', 'are', 'there', 'any', 'online',
  ...AUTHENTIC,
]);
/** Among those, the ones that make "halo, CS dong" a request rather than "halo CS", a greeting. */
const EXPLICIT_REQUEST_WORDS = wordSet(['dong', 'aja', 'saja', 'please', 'tolong', 'mohon', 'minta']);

const GREETING_WORDS = wordSet([
  'halo', 'hallo', 'helo', 'hello', 'hai', 'hi', 'hey', 'hei', 'hola', 'selamat', 'pagi', 'siang',
  'sore', 'malam', 'assalamualaikum', 'asalamualaikum', 'salam', 'permisi', 'punten', 'good',
  'morning', 'afternoon', 'evening', 'p', 'ping',
]);
const THANKS_WORDS = wordSet(['terimakasih', 'thanks', 'thank', 'thankyou', 'tq', 'ty', 'nuhun', 'suwun']);
const FORMS_OF_ADDRESS = wordSet([
  'kak', 'ka', 'kakak', 'min', 'mimin', 'admin', 'cs', 'gan', 'agan', 'sis', 'bro', 'mas', 'mbak', 'mba',
  'pak', 'bu', 'ibu', 'bapak', 'bang', 'om', 'tante', 'semua', 'all', 'there', 'everyone', 'team', 'tim',
  'guys',
]);
const COURTESY_FILLERS = wordSet([
  'ya', 'dong', 'nih', 'wr', 'wb', 'warahmatullahi', 'wabarakatuh', 'banyak', 'sekali', 'banget',
  'much', 'so', 'very', 'lot', 'a', 'ok', 'oke', 'okay', 'sip', 'you',
]);

const YES_WORDS = wordSet([
  'ya', 'iya', 'iy', 'y', 'yes', 'yeah', 'yep', 'yup', 'boleh', 'mau', 'oke', 'ok', 'okay', 'sip',
  'siap', 'sure', 'tentu', 'betul', 'bener', 'benar', 'setuju', 'please', 'gas', 'ayo', 'yuk',
  'baik', 'baiklah', 'silakan', 'silahkan',
]);
const YES_FILLERS = wordSet([
  'dong', 'deh', 'kak', 'min', 'aja', 'saja', 'sih', 'banget', 'tolong', 'lah', 'thing', 'of', 'course',
  'hubungkan', 'sambungkan', 'connect', 'me',
]);
/** A yes is short: a longer message is a new question, even if it starts with "iya". */
const MAX_YES_WORDS = 6;

const linesOf = (text: string) => text.split('\n').map(tokenize).filter((words) => words.length > 0);

/** "adminnya", "csnya": the noun with "-nya" attached. */
function asHumanNoun(word: string): string {
  return word.endsWith('nya') && HUMAN_NOUNS.has(word.slice(0, -3)) ? word.slice(0, -3) : word;
}

/** Whether words[i] names a human on the business's side, and how sure that is. */
function personAt(words: readonly string[], i: number): 'human' | 'vague' | undefined {
  const word = words[i]!;
  if (HUMAN_NOUNS.has(word)) return 'human';
  if (!VAGUE_PERSON_NOUNS.has(word)) return undefined;
  const authentic = AUTHENTIC.has(words[i - 1] ?? '') || AUTHENTIC.has(words[i + 1] ?? '');
  return authentic ? 'human' : 'vague';
}

/** "CS", "admin?", "CS dong", "human please", "ada admin?", "halo kak, CS dong". */
function isBareRequest(words: readonly string[]): boolean {
  const persons = words.filter((_, i) => personAt(words, i) === 'human');
  if (persons.length === 0) return false;
  const rest = words.filter((_, i) => personAt(words, i) !== 'human');
  if (!rest.every((w) => BARE_REQUEST_WORDS.has(w) || GREETING_WORDS.has(w) || FORMS_OF_ADDRESS.has(w))) return false;
  const greets = rest.some((w) => GREETING_WORDS.has(w));
  return !greets || rest.some((w) => EXPLICIT_REQUEST_WORDS.has(w));
}

/** "mau bicara dengan CS", "minta agen", "saya mau ngomong sama orang", "talk to an agent", "sama admin aja". */
function hasRequestPhrase(words: readonly string[]): boolean {
  return words.some((_, j) => {
    const person = personAt(words, j);
    if (!person) return false;
    let start = j;
    while (start > 0 && REQUEST_PHRASE_WORDS.has(words[start - 1]!)) start--;
    const phrase = words.slice(start, j);
    const talks = phrase.some((w) => TALK_VERBS.has(w));
    if (person === 'vague') return talks;
    const requests = phrase.some((w) => REQUEST_WORDS.has(w));
    // A bare connector only counts opening the message: "ke CS dong", not "kirim bukti ke admin".
    const opensWithConnector = start === 0 && phrase.some((w) => CONNECTORS.has(w));
    return talks || requests || opensWithConnector;
  });
}

function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  return words.some((_, i) => phrase.every((p, k) => words[i + k] === p));
}

/**
 * Whether the customer asks to talk to a person. Each line of a batch is judged on its own.
 * `extraKeywords` are the chatbot's own handoff keywords ("komplain", "refund"), matched as whole
 * words or phrases, case-insensitively, anywhere in the text.
 */
export function detectHumanRequest(text: string, extraKeywords: readonly string[] = []): boolean {
  const lines = linesOf(text).map((words) => words.map(asHumanNoun));
  if (lines.some((words) => isBareRequest(words) || hasRequestPhrase(words))) return true;
  const keywords = extraKeywords.map(tokenize);
  return lines.some((words) => keywords.some((keyword) => containsPhrase(words, keyword)));
}

/** Whether a reply to "Mau saya hubungkan dengan tim CS kami?" says yes: "ya", "boleh", "iya dong", "yes please". */
export function detectAcceptance(text: string): boolean {
  const words = tokenize(text);
  if (words.length === 0 || words.length > MAX_YES_WORDS) return false;
  return words.some((w) => YES_WORDS.has(w)) && words.every((w) => YES_WORDS.has(w) || YES_FILLERS.has(w));
}

export type Courtesy = 'greeting' | 'thanks';

/**
 * Whether the message is only courtesy, with nothing to look up: "halo", "hai kak", "selamat pagi",
 * "makasih ya kak", "ok thanks". Thanks wins over a greeting ("halo, makasih").
 */
export function detectCourtesy(text: string): Courtesy | undefined {
  const words = tokenize(text);
  const courteous = (w: string) =>
    GREETING_WORDS.has(w) || THANKS_WORDS.has(w) || FORMS_OF_ADDRESS.has(w) || COURTESY_FILLERS.has(w);
  if (words.length === 0 || !words.every(courteous)) return undefined;
  if (words.some((w) => THANKS_WORDS.has(w))) return 'thanks';
  if (words.some((w) => GREETING_WORDS.has(w))) return 'greeting';
  return undefined;
}
