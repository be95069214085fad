import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const CHANNEL_TYPES = ['web', 'whatsapp_cloud', 'whatsapp_baileys', 'telegram'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const CHANNEL_STATUSES = ['active', 'connecting', 'pairing', 'needs_reconnect', 'error', 'disabled'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

const channelSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    chatbotId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: CHANNEL_TYPES, required: true },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    /**
     * Health shown in the dashboard: `active` (connected), `connecting`, `pairing` (WhatsApp Web
     * waiting for a QR scan), `needs_reconnect` (credentials revoked, logged out: a person must act),
     * `error` (with `statusReason`), `disabled`.
     */
    status: { type: String, enum: CHANNEL_STATUSES, default: 'active' },
    statusReason: { type: String, default: '' },
    statusAt: { type: Date },
    /** WhatsApp Web pairing in progress: the QR payload or pairing code to show, refreshed live. */
    pairing: {
      qr: { type: String },
      code: { type: String },
      phoneNumber: { type: String },
      updatedAt: { type: Date },
      /** Set by the dashboard on each (re-)pairing request; a session host restarts pairing when it changes. */
      requestedAt: { type: Date },
    },
    /** Non-secret settings of the adapter (phone number id, bot username…). */
    settings: { type: Schema.Types.Mixed, default: {} },
    /** Credentials, encrypted with the key vault (`shared/crypto`); never returned to clients. */
    secrets: { type: String },
  },
  { timestamps: true, minimize: false },
);
channelSchema.index({ workspaceId: 1, type: 1 });
channelSchema.index({ chatbotId: 1, type: 1 });
/** Routing keys: WhatsApp Cloud's phone number id, WhatsApp Web's number, a Telegram bot's id. */
channelSchema.index({ type: 1, 'settings.routingKey': 1 });

export type Channel = InferSchemaType<typeof channelSchema> & { _id: mongoose.Types.ObjectId };
export const ChannelModel = mongoose.model('Channel', channelSchema, 'channels');
