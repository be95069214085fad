export * from './telegram';
export * from './whatsapp-graph';
export * from './baileys-socket';
