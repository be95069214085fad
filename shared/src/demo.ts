/**
 * The demo workspace `npm start` seeds on first run: a small coffee shop whose bot answers from the
 * knowledge text below (hours, prices, delivery, returns, payment, address). Tests use the same
 * text, so what the demo shows is what the tests check.
 */
import { ChatbotModel, UserModel, WorkspaceModel, ChannelModel } from './models';
import { createWorkspace } from './workspaces';

export const DEMO_KNOWLEDGE_ID = `# Toko Kopi Sapa — info pelanggan

## Jam buka
Toko buka setiap hari Senin–Sabtu pukul 08.00–21.00 WIB, dan Minggu pukul 10.00–18.00 WIB. Hari libur nasional tutup.

## Harga
Kopi susu gula aren Rp18.000, Americano Rp15.000, Cappuccino Rp22.000. Biji kopi arabika Gayo 250 gram Rp85.000.

## Pengiriman
Kami kirim ke seluruh Indonesia lewat JNE dan SiCepat. Ongkir dihitung saat checkout. Pesanan sebelum jam 14.00 dikirim hari yang sama. Area Jakarta bisa COD.

## Retur
Barang rusak atau salah kirim bisa ditukar dalam 7 hari setelah diterima dengan video unboxing. Uang kembali lewat transfer bank dalam 3 hari kerja.

## Pembayaran
Kami terima QRIS, transfer BCA/Mandiri, dan COD untuk Jakarta.

## Alamat
Jl. Kemang Raya No. 10, Jakarta Selatan.
`;

export const DEMO_OWNER_EMAIL = 'owner@demo.sapa.local';

export interface DemoWorkspace {
  workspaceId: string;
  chatbotPublicId: string;
  ownerEmail: string;
  created: boolean;
  /** Knowledge sources made by this seed, to be ingested (empty when it already existed). */
  knowledgeSourceIds: string[];
}

/** Seed the demo workspace unless it exists. The password is only used when creating it. */
export async function seedDemoWorkspace(ownerPassword: string): Promise<DemoWorkspace> {
  const existing = await UserModel.findOne({ email: DEMO_OWNER_EMAIL }).lean();
  if (existing) {
    const chatbot = await ChatbotModel.findOne({ name: 'Toko Kopi Sapa' }).sort({ createdAt: 1 }).lean();
    const workspace = chatbot ? await WorkspaceModel.findById(chatbot.workspaceId).lean() : null;
    const channel = chatbot ? await ChannelModel.findOne({ chatbotId: chatbot._id, type: 'web' }).lean() : null;
    if (chatbot && workspace && channel) {
      return { workspaceId: String(workspace._id), chatbotPublicId: chatbot.publicId, ownerEmail: DEMO_OWNER_EMAIL, created: false, knowledgeSourceIds: [] };
    }
  }
  const { workspace, chatbot, knowledgeSourceIds } = await createWorkspace({
    workspaceName: 'Toko Kopi Sapa',
    owner: { email: DEMO_OWNER_EMAIL, name: 'Pemilik Toko', password: ownerPassword },
    chatbot: {
      name: 'Toko Kopi Sapa',
      knowledge: { name: 'Info Toko Kopi Sapa', text: DEMO_KNOWLEDGE_ID },
      greeting: 'Halo! Selamat datang di Toko Kopi Sapa. Ada yang bisa kami bantu? ☕',
    },
  });
  return { workspaceId: String(workspace._id), chatbotPublicId: chatbot.publicId, ownerEmail: DEMO_OWNER_EMAIL, created: true, knowledgeSourceIds };
}
