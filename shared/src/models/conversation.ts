import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { CONVERSATION_MODES } from '../conversation';
import { CHANNEL_TYPES } from './channel';

const conversationSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    chatbotId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true },
    channelType: { type: String, enum: CHANNEL_TYPES, required: true },
    contactId: { type: Schema.Types.ObjectId, required: true },
    contactName: { type: String, default: '' },
    mode: { type: String, enum: CONVERSATION_MODES, default: 'bot' },
    assignedAgentId: { type: Schema.Types.ObjectId, default: null },
    assignedAgentName: { type: String, default: '' },
    /** Customer messages an agent has not seen yet. */
    unreadCount: { type: Number, default: 0 },
    lastMessageAt: { type: Date, default: () => new Date() },
    lastMessagePreview: { type: String, default: '' },
    lastCustomerMessageAt: { type: Date },
    handoffReason: { type: String, default: '' },
    closedAt: { type: Date },
    closedReason: { type: String },
  },
  { timestamps: true },
);
conversationSchema.index({ workspaceId: 1, lastMessageAt: -1 });
conversationSchema.index({ contactId: 1 });

export type Conversation = InferSchemaType<typeof conversationSchema> & { _id: mongoose.Types.ObjectId };
export const ConversationModel = mongoose.model('Conversation', conversationSchema, 'conversations');
