import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const CHANNEL_TYPES = ['web', 'whatsapp_cloud', 'whatsapp_baileys', 'telegram'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const channelSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    chatbotId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: CHANNEL_TYPES, required: true },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    status: { type: String, enum: ['active', 'needs_reconnect', 'disabled'], default: 'active' },
    /** Non-secret settings of the adapter (phone number id, bot username…). */
    settings: { type: Schema.Types.Mixed, default: {} },
    /** Credentials, encrypted with the key vault (`shared/crypto`); never returned to clients. */
    secrets: { type: String },
  },
  { timestamps: true, minimize: false },
);
channelSchema.index({ workspaceId: 1, type: 1 });
channelSchema.index({ chatbotId: 1, type: 1 });

export type Channel = InferSchemaType<typeof channelSchema> & { _id: mongoose.Types.ObjectId };
export const ChannelModel = mongoose.model('Channel', channelSchema, 'channels');
