import mongoose, { Schema } from 'mongoose';

/** Named monotonic counters, advanced with one atomic `$inc`. */
const counterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, default: 0 } });

export const CounterModel = mongoose.model('Counter', counterSchema, 'counters');

export async function nextSequence(name: string): Promise<number> {
  const doc = await CounterModel.findOneAndUpdate(
    { _id: name },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after', lean: true },
  );
  return doc!.seq;
}
