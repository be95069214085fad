// Builds (once, into the cache outside git) the binaries `npm start` and the tests run.
import { cacheDir, ensureFerretDbBinary, ensureTemporalBinary } from './servers.mjs';

if (process.env.MONGODB_URI && process.env.TEMPORAL_ADDRESS) {
  console.log('MONGODB_URI and TEMPORAL_ADDRESS are set: nothing to build.');
} else {
  const ferret = process.env.MONGODB_URI ? 'not needed (MONGODB_URI set)' : ensureFerretDbBinary() ?? 'no Go: will use mongod on PATH or a download';
  const temporal = process.env.TEMPORAL_ADDRESS ? 'not needed (TEMPORAL_ADDRESS set)' : ensureTemporalBinary() ?? 'no Go: will use temporal on PATH or a download';
  console.log(`cache: ${cacheDir()}\ndatabase server: ${ferret}\ntemporal: ${temporal}`);
}
