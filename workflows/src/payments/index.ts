/**
 * The QRIS payment provider the configuration chooses (PAYMENT_PROVIDER), or null when payments are
 * not configured (`none`: the dashboard says so). loadConfig has already failed fast when the chosen
 * provider lacks its keys; the checks here only narrow the types.
 */
import { ConfigError, type Config } from '@sapa/shared/config';
import type { QrisProvider } from '@sapa/shared/payments/types';
import { createMidtransProvider } from './midtrans';
import { createXenditProvider } from './xendit';

export type PaymentConfig = Pick<
  Config,
  'PAYMENT_PROVIDER' | 'MIDTRANS_SERVER_KEY' | 'MIDTRANS_BASE_URL' | 'MIDTRANS_IS_PRODUCTION' | 'XENDIT_SECRET_KEY' | 'XENDIT_BASE_URL'
>;

export function createPaymentProvider(config: PaymentConfig): QrisProvider | null {
  switch (config.PAYMENT_PROVIDER) {
    case 'none':
      return null;
    case 'midtrans':
      if (!config.MIDTRANS_SERVER_KEY) throw new ConfigError('PAYMENT_PROVIDER=midtrans needs MIDTRANS_SERVER_KEY');
      return createMidtransProvider({
        serverKey: config.MIDTRANS_SERVER_KEY,
        isProduction: config.MIDTRANS_IS_PRODUCTION,
        // Under the payment activities' 20 s limit, so a slow call fails and is retried in time.
        timeoutMs: 10_000,
        ...(config.MIDTRANS_BASE_URL ? { baseUrl: config.MIDTRANS_BASE_URL } : {}),
      });
    case 'xendit':
      if (!config.XENDIT_SECRET_KEY) throw new ConfigError('PAYMENT_PROVIDER=xendit needs XENDIT_SECRET_KEY');
      return createXenditProvider({ secretKey: config.XENDIT_SECRET_KEY, baseUrl: config.XENDIT_BASE_URL });
  }
}

export { createMidtransProvider, type MidtransProviderOptions } from './midtrans';
export { createXenditProvider, type XenditProviderOptions } from './xendit';
