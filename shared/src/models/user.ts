import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    /** argon2id hash. Never sent to a client; kept selectable because FerretDB rejects projections on findAndModify. */
    passwordHash: { type: String, required: true },
    locale: { type: String, enum: ['id', 'en'], default: 'id' },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });

export type User = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export const UserModel = mongoose.model('User', userSchema, 'users');
