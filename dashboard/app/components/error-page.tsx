import { useRouteError } from '@remix-run/react';
import { describeRouteError } from '../lib/route-error';
import { useT } from '../lib/root-data';
import { ErrorPanel } from './error-panel';

/** A whole page for an error no nearer boundary caught: a rejected form post, a missing page, a crash. */
export function ErrorPage() {
  const tr = useT();
  const { status, message } = describeRouteError(useRouteError(), tr);
  return (
    <main className="page-center">
      <ErrorPanel title={tr('dash.errorTitle')} message={message} status={status} />
    </main>
  );
}
