/**
 * A QRIS payment's status as a badge, and the time left on its QR. The countdown needs
 * JavaScript; the server's HTML always says until when the QR is valid, so a page without
 * JavaScript still tells the payer how long they have.
 */
import { useEffect, useState } from 'react';
import type { PaymentStatusValue } from '@sapa/shared/models/payment';
import { paymentStatusKey } from '../lib/billing-labels';
import { useT } from '../lib/root-data';
import { useHydrated } from '../hooks/use-hydrated';

export function PaymentStatusBadge({ status, testId }: { status: PaymentStatusValue; testId?: string }) {
  const tr = useT();
  return (
    <span className={`pstatus pstatus--${status}`} data-testid={testId ?? 'payment-status-badge'} data-status={status}>
      {tr(paymentStatusKey(status))}
    </span>
  );
}

function remainingText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** Re-renders every second until `deadline`; null on the server and while hydrating. */
function useRemaining(deadline: number): number | null {
  const hydrated = useHydrated();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!hydrated) return;
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= deadline) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [hydrated, deadline]);
  return hydrated ? deadline - now : null;
}

export function QrCountdown({ expiresAt, expiresAtText }: { expiresAt: string; expiresAtText: string }) {
  const tr = useT();
  const remaining = useRemaining(Date.parse(expiresAt));
  return (
    <p className="countdown" data-testid="countdown">
      <span>{tr('billing.payment.validUntil', { time: expiresAtText })}</span>
      {remaining === null ? null : remaining > 0 ? (
        <span className="countdown__left" data-testid="countdown-left" role="timer" aria-live="off">
          {tr('billing.payment.timeLeft', { time: remainingText(remaining) })}
        </span>
      ) : (
        <span className="countdown__left countdown__left--over" data-testid="countdown-left">
          {tr('billing.payment.timeUp')}
        </span>
      )}
    </p>
  );
}
