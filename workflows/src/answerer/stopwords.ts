/**
 * Words that say how a customer asks, not what about: function words, question words, chat
 * fillers, greetings and forms of address, in Indonesian and English. Search ignores them so a
 * chatty "halo kak, mau tanya dong, jam berapa ya tokonya buka?" is matched on "jam", "toko",
 * "buka" alone. Words in the shop synonym groups ("dimana", "where") are deliberately absent.
 */
import { wordSet } from './tokenize';

export const INDONESIAN_STOPWORDS = wordSet([
  // function words
  'yang', 'dan', 'di', 'ke', 'dari', 'untuk', 'dengan', 'pada', 'dalam', 'atau', 'juga', 'ini', 'itu',
  'adalah', 'ialah', 'akan', 'sudah', 'belum', 'masih', 'sedang', 'lagi', 'telah', 'oleh', 'para',
  'seperti', 'bila', 'jika', 'kalau', 'karena', 'tapi', 'tetapi', 'lalu', 'terus', 'jadi', 'agar',
  'supaya', 'sama', 'sangat', 'banget', 'lebih', 'sekali', 'semua', 'hanya', 'cuma', 'secara',
  'tentang', 'hal', 'begitu', 'gitu', 'begini', 'gini', 'saat', 'ketika', 'sebelum', 'setelah',
  'sesudah', 'tidak', 'bukan', 'ada', 'bisa', 'dapat', 'boleh', 'harus', 'perlu', 'mau', 'ingin',
  'punya', 'buat', 'kok', 'kan', 'pun', 'lah', 'kah', 'nya', 'aja', 'saja', 'sih', 'deh', 'dong',
  'nih', 'tuh', 'ya', 'iya', 'yah', 'oke', 'ok', 'sip', 'tolong', 'mohon', 'minta', 'maaf', 'permisi',
  'tanya', 'nanya', 'info', 'informasi', 'terimakasih',
  // pronouns
  'saya', 'aku', 'kamu', 'anda', 'kami', 'kita', 'mereka', 'dia', 'ia', 'kalian', 'beliau',
  // question words
  'apa', 'apakah', 'berapa', 'bagaimana', 'kapan', 'siapa', 'kenapa', 'mengapa', 'mana', 'gimana',
  // greetings and forms of address
  'halo', 'hallo', 'hai', 'hi', 'hello', 'hey', 'selamat', 'pagi', 'siang', 'sore', 'malam',
  'kak', 'ka', 'kakak', 'min', 'mimin', 'gan', 'agan', 'sis', 'bro', 'mas', 'mbak', 'mba', 'pak',
  'bu', 'ibu', 'bapak', 'bang', 'om', 'tante',
]);

export const ENGLISH_STOPWORDS = wordSet([
  'a', 'an', 'the', 'is', 'are', 'am', 'was', 'were', 'be', 'been', 'being', 'do', 'does', 'did',
  'to', 'of', 'in', 'on', 'at', 'for', 'with', 'from', 'by', 'about', 'and', 'or', 'but', 'if',
  'then', 'so', 'as', 'than', 'what', 'when', 'which', 'who', 'whom', 'why', 'how', 'much', 'many',
  'can', 'could', 'would', 'will', 'shall', 'should', 'may', 'might', 'must', 'i', 'me', 'my', 'we',
  'us', 'our', 'you', 'your', 'yours', 'it', 'its', 'they', 'them', 'their', 'this', 'that', 'these',
  'those', 'there', 'here', 'have', 'has', 'had', 'please', 'thanks', 'thank', 'any', 'some', 'get',
  'got', 'want', 'need', 'like', 'just', 'also', 'not', 'no', 'yes', 'okay', 'tell', 'know', 'let',
  'im', 'dont', 'doesnt', 'cant', 'whats', 'hows', 'hello', 'hi', 'hey', 'good', 'morning',
  'afternoon', 'evening', 'sir', 'madam',
]);

export function isStopword(word: string): boolean {
  return INDONESIAN_STOPWORDS.has(word) || ENGLISH_STOPWORDS.has(word);
}
