import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const chatbotSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    /** Identifier that is safe to publish (the widget's `data-chatbot`). */
    publicId: { type: String, required: true },
    language: { type: String, enum: ['id', 'en'], default: 'id' },
    greeting: { type: String, default: '' },
    /** Origins (scheme://host[:port]) allowed to embed the widget. Empty means any origin. */
    allowedOrigins: { type: [String], default: [] },
    /** AI provider, model and prompt (see ai/settings.ts; validated there, stored as given). */
    ai: { type: Schema.Types.Mixed },
    /** Retrieval and chunking settings (ai/settings.ts). */
    retrieval: { type: Schema.Types.Mixed },
    /** Extra words that make the bot hand the conversation to a person. */
    handoffKeywords: { type: [String], default: [] },
    /** Per-chatbot overrides of the batching/inactivity defaults from config (milliseconds). */
    batchWindowMs: { type: Number, min: 0 },
    batchMaxWaitMs: { type: Number, min: 0 },
    inactivityCloseMs: { type: Number, min: 0 },
  },
  { timestamps: true },
);
chatbotSchema.index({ publicId: 1 }, { unique: true });
chatbotSchema.index({ workspaceId: 1 });

export type Chatbot = InferSchemaType<typeof chatbotSchema> & { _id: mongoose.Types.ObjectId };
export const ChatbotModel = mongoose.model('Chatbot', chatbotSchema, 'chatbots');
