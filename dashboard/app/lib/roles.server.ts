/**
 * Who may do what in a workspace. Agents work the inbox; owners and admins also connect and change
 * channels (credentials, webhooks, pairing), which can take the business's numbers offline.
 */
import { forbidden, type Membership } from '@sapa/shared';
import { requireUser, type SessionUser } from './session.server';

export function canManageChannels(membership: Pick<Membership, 'role'>): boolean {
  return membership.role === 'owner' || membership.role === 'admin';
}

/** The signed-in owner or admin; a 403 for an agent (and the login redirect when signed out). */
export async function requireAdmin(request: Request): Promise<SessionUser> {
  const signedIn = await requireUser(request);
  if (!canManageChannels(signedIn.membership)) throw forbidden('error.adminOnly');
  return signedIn;
}
