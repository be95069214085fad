/**
 * The knowledge text of the demo chatbot that `npm start` seeds: a small coffee shop's hours,
 * prices, delivery, returns, payment and address. Tests use the same text, so what the demo shows
 * is what the tests check.
 */
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
