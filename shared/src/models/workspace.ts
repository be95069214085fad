import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const workspaceSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    locale: { type: String, enum: ['id', 'en'], default: 'id' },
    timezone: { type: String, default: 'Asia/Jakarta' },
    /**
     * The workspace's plan (billing/prices.ts PLANS). A paid plan runs until `planEndsAt`, then
     * the workspace is back on Free; buying again (QRIS) adds a month.
     */
    plan: { type: String, default: 'free' },
    planEndsAt: { type: Date },
    /** The plan end a renewal reminder was sent for (one reminder per period). */
    planReminderFor: { type: Date },
    /** Orders whose plan month was granted (each grants once). */
    planPayments: { type: [String], default: [] },
  },
  { timestamps: true },
);

export type Workspace = InferSchemaType<typeof workspaceSchema> & { _id: mongoose.Types.ObjectId };
export const WorkspaceModel = mongoose.model('Workspace', workspaceSchema, 'workspaces');

export const MEMBERSHIP_ROLES = ['owner', 'admin', 'agent'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

const membershipSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: MEMBERSHIP_ROLES, required: true },
  },
  { timestamps: true },
);
membershipSchema.index({ workspaceId: 1, userId: 1 }, { unique: true });
membershipSchema.index({ userId: 1 });

export type Membership = InferSchemaType<typeof membershipSchema> & { _id: mongoose.Types.ObjectId };
export const MembershipModel = mongoose.model('Membership', membershipSchema, 'memberships');
