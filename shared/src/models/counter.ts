import mongoose, { Schema } from 'mongoose';
import { isDuplicateKeyError } from '../errors';

/** Named monotonic counters, advanced with one atomic `$inc`. */
const counterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, default: 0 } });

export const CounterModel = mongoose.model('Counter', counterSchema, 'counters');

export async function nextSequence(name: string): Promise<number> {
  const advance = () => CounterModel.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after', lean: true });
  try {
    return (await advance())!.seq;
  } catch (err) {
    // Two first uses raced to create the counter; it exists now, so the retry only increments.
    if (!isDuplicateKeyError(err)) throw err;
    return (await advance())!.seq;
  }
}
