/**
 * The catalog of user-facing text, Bahasa Indonesia first and English second. Server errors,
 * bot messages, the dashboard and the widget all read from here so the two languages stay in step.
 */
export const LOCALES = ['id', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'id';

const id = {
  // errors
  'error.unavailable': 'Layanan sedang tidak tersedia. Silakan coba lagi sebentar lagi.',
  'error.internal': 'Terjadi kesalahan pada server.',
  'error.validation': 'Permintaan tidak valid.',
  'error.malformedJson': 'Isi permintaan bukan JSON yang valid.',
  'error.bodyTooLarge': 'Isi permintaan terlalu besar.',
  'error.rateLimited': 'Terlalu banyak permintaan. Coba lagi nanti.',
  'error.chatbotNotFound': 'Chatbot tidak ditemukan.',
  'error.channelNotFound': 'Kanal tidak ditemukan.',
  'error.conversationNotFound': 'Percakapan tidak ditemukan.',
  'error.originNotAllowed': 'Situs ini tidak diizinkan memakai widget chatbot ini.',
  'error.visitorTokenInvalid': 'Identitas pengunjung tidak valid.',
  'error.messageTooLong': 'Pesan terlalu panjang.',
  'error.messageEmpty': 'Pesan tidak boleh kosong.',
  'error.conversationClosed': 'Percakapan ini sudah ditutup.',
  'error.notFound': 'Halaman tidak ditemukan.',
  'error.invalidCredentials': 'Email atau kata sandi salah.',
  'error.emailTaken': 'Email ini sudah terdaftar.',
  'error.csrf': 'Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.',
  'error.notMember': 'Anda bukan anggota workspace ini.',
  // bot messages
  'bot.greeting': 'Halo! Ada yang bisa kami bantu?',
  'bot.handoffRequested': 'Baik, kami hubungkan Anda dengan tim CS kami. Mohon tunggu sebentar ya.',
  'bot.noAnswer':
    'Maaf, saya belum punya informasi tentang itu. Mau saya hubungkan dengan tim CS kami? Balas "CS" untuk bicara dengan orang.',
  'bot.answerIntro': 'Berdasarkan informasi dari kami:',
  'bot.handedBack': 'Percakapan dilanjutkan oleh asisten otomatis kami.',
  'bot.closedInactive': 'Percakapan ditutup karena tidak ada aktivitas. Kirim pesan kapan saja untuk memulai lagi.',
  'bot.closed': 'Percakapan telah ditutup. Terima kasih!',
  'bot.agentJoined': '{name} dari tim CS bergabung dalam percakapan.',
  // widget
  'widget.title': 'Chat dengan kami',
  'widget.placeholder': 'Tulis pesan…',
  'widget.send': 'Kirim',
  'widget.open': 'Buka chat',
  'widget.close': 'Tutup chat',
  'widget.typing': 'sedang mengetik…',
  'widget.offline': 'Koneksi terputus, menyambung ulang…',
  'widget.failed': 'Gagal terkirim. Ketuk untuk mencoba lagi.',
  'widget.you': 'Anda',
  'widget.bot': 'Asisten',
  'widget.agent': 'CS',
  'widget.sources': 'Sumber',
  'widget.language': 'English',
  // dashboard
  'dash.appName': 'Sapa',
  'dash.login': 'Masuk',
  'dash.logout': 'Keluar',
  'dash.signup': 'Daftar',
  'dash.email': 'Email',
  'dash.password': 'Kata sandi',
  'dash.name': 'Nama Anda',
  'dash.workspaceName': 'Nama usaha',
  'dash.noAccount': 'Belum punya akun?',
  'dash.haveAccount': 'Sudah punya akun?',
  'dash.passwordRule': 'Minimal 8 karakter.',
  'dash.inbox': 'Kotak masuk',
  'dash.noConversations': 'Belum ada percakapan.',
  'dash.selectConversation': 'Pilih percakapan di sebelah kiri.',
  'dash.mode.bot': 'Bot',
  'dash.mode.waiting_for_agent': 'Menunggu CS',
  'dash.mode.agent': 'Ditangani CS',
  'dash.mode.closed': 'Ditutup',
  'dash.takeOver': 'Ambil alih',
  'dash.reply': 'Balas',
  'dash.replyPlaceholder': 'Tulis balasan…',
  'dash.handBack': 'Serahkan ke bot',
  'dash.close': 'Tutup percakapan',
  'dash.takeOverFirst': 'Ambil alih percakapan untuk membalas.',
  'dash.visitor': 'Pengunjung',
  'dash.author.customer': 'Pelanggan',
  'dash.author.bot': 'Bot',
  'dash.author.agent': 'CS',
  'dash.author.system': 'Sistem',
  'dash.unread': 'belum dibaca',
  'dash.language': 'Bahasa',
  'dash.live': 'Langsung',
  'dash.reconnecting': 'Menyambung ulang…',
  'dash.widgetSnippet': 'Pasang widget di situs Anda',
  'dash.actionDone': 'Selesai.',
} as const;

export type MessageKey = keyof typeof id;

const en: Record<MessageKey, string> = {
  'error.unavailable': 'The service is temporarily unavailable. Please try again shortly.',
  'error.internal': 'Something went wrong on the server.',
  'error.validation': 'The request is not valid.',
  'error.malformedJson': 'The request body is not valid JSON.',
  'error.bodyTooLarge': 'The request body is too large.',
  'error.rateLimited': 'Too many requests. Please try again later.',
  'error.chatbotNotFound': 'Chatbot not found.',
  'error.channelNotFound': 'Channel not found.',
  'error.conversationNotFound': 'Conversation not found.',
  'error.originNotAllowed': 'This site is not allowed to use this chatbot widget.',
  'error.visitorTokenInvalid': 'The visitor identity is not valid.',
  'error.messageTooLong': 'The message is too long.',
  'error.messageEmpty': 'The message must not be empty.',
  'error.conversationClosed': 'This conversation is closed.',
  'error.notFound': 'Page not found.',
  'error.invalidCredentials': 'Wrong email or password.',
  'error.emailTaken': 'This email is already registered.',
  'error.csrf': 'The form has expired. Reload the page and try again.',
  'error.notMember': 'You are not a member of this workspace.',
  'bot.greeting': 'Hi! How can we help you?',
  'bot.handoffRequested': 'Sure, we are connecting you with our support team. Please wait a moment.',
  'bot.noAnswer':
    'Sorry, I do not have information about that yet. Would you like to talk to our support team? Reply "CS" to reach a person.',
  'bot.answerIntro': 'According to our information:',
  'bot.handedBack': 'Our automated assistant is back in this conversation.',
  'bot.closedInactive': 'This conversation was closed after a period of inactivity. Send a message any time to start again.',
  'bot.closed': 'This conversation has been closed. Thank you!',
  'bot.agentJoined': '{name} from our support team joined the conversation.',
  'widget.title': 'Chat with us',
  'widget.placeholder': 'Type a message…',
  'widget.send': 'Send',
  'widget.open': 'Open chat',
  'widget.close': 'Close chat',
  'widget.typing': 'is typing…',
  'widget.offline': 'Connection lost, reconnecting…',
  'widget.failed': 'Not sent. Tap to retry.',
  'widget.you': 'You',
  'widget.bot': 'Assistant',
  'widget.agent': 'Support',
  'widget.sources': 'Sources',
  'widget.language': 'Bahasa Indonesia',
  'dash.appName': 'Sapa',
  'dash.login': 'Log in',
  'dash.logout': 'Log out',
  'dash.signup': 'Sign up',
  'dash.email': 'Email',
  'dash.password': 'Password',
  'dash.name': 'Your name',
  'dash.workspaceName': 'Business name',
  'dash.noAccount': 'No account yet?',
  'dash.haveAccount': 'Already have an account?',
  'dash.passwordRule': 'At least 8 characters.',
  'dash.inbox': 'Inbox',
  'dash.noConversations': 'No conversations yet.',
  'dash.selectConversation': 'Pick a conversation on the left.',
  'dash.mode.bot': 'Bot',
  'dash.mode.waiting_for_agent': 'Waiting for agent',
  'dash.mode.agent': 'Agent',
  'dash.mode.closed': 'Closed',
  'dash.takeOver': 'Take over',
  'dash.reply': 'Reply',
  'dash.replyPlaceholder': 'Write a reply…',
  'dash.handBack': 'Hand back to bot',
  'dash.close': 'Close conversation',
  'dash.takeOverFirst': 'Take over the conversation to reply.',
  'dash.visitor': 'Visitor',
  'dash.author.customer': 'Customer',
  'dash.author.bot': 'Bot',
  'dash.author.agent': 'Agent',
  'dash.author.system': 'System',
  'dash.unread': 'unread',
  'dash.language': 'Language',
  'dash.live': 'Live',
  'dash.reconnecting': 'Reconnecting…',
  'dash.widgetSnippet': 'Put the widget on your site',
  'dash.actionDone': 'Done.',
};

const catalog: Record<Locale, Record<MessageKey, string>> = { id, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Translate `key` into `locale`, filling `{name}`-style placeholders from `vars`. */
export function t(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  let text = catalog[locale][key] ?? catalog.id[key];
  if (vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

/** Pick a locale from an Accept-Language header, defaulting to Indonesian. */
export function localeFromAcceptLanguage(header: string | undefined | null): Locale {
  if (!header) return DEFAULT_LOCALE;
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : DEFAULT_LOCALE;
}
