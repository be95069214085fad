/**
 * The signed session cookie and the signed-in user behind it. The session holds only ids (the
 * user, the workspace they are working in) and the CSRF token; everything else is read fresh from
 * the database so a removed membership takes effect on the next request.
 */
import { createCookieSessionStorage, redirect, type Session } from '@remix-run/node';
import {
  MembershipModel,
  UserModel,
  WorkspaceModel,
  isValidObjectId,
  type Membership,
  type User,
  type Workspace,
} from '@sapa/shared';
import { config, ensureDatabase } from './env.server';

interface SessionData {
  userId: string;
  workspaceId: string;
  csrf: string;
}

export type SapaSession = Session<SessionData>;

const THIRTY_DAYS_S = 30 * 24 * 60 * 60;

const storage = createCookieSessionStorage<SessionData>({
  cookie: {
    name: '__sapa_session',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.isProduction,
    path: '/',
    secrets: [config.SESSION_SECRET],
    maxAge: THIRTY_DAYS_S,
  },
});

export function getSession(request: Request): Promise<SapaSession> {
  return storage.getSession(request.headers.get('Cookie'));
}

export const commitSession = (session: SapaSession) => storage.commitSession(session);
export const destroySession = (session: SapaSession) => storage.destroySession(session);

export interface SessionUser {
  user: User;
  membership: Membership;
  workspace: Workspace;
}

// The root loader and the page's own loader both ask for the user during one request; they get
// the same Request object, so the lookup is shared instead of repeated.
const usersByRequest = new WeakMap<Request, Promise<SessionUser | null>>();

/** The signed-in user with their membership and workspace, or null when signed out. */
export function getSessionUser(request: Request): Promise<SessionUser | null> {
  let pending = usersByRequest.get(request);
  if (!pending) {
    pending = loadSessionUser(request);
    usersByRequest.set(request, pending);
  }
  return pending;
}

async function loadSessionUser(request: Request): Promise<SessionUser | null> {
  const session = await getSession(request);
  const userId = session.get('userId');
  const workspaceId = session.get('workspaceId');
  if (!isValidObjectId(userId) || !isValidObjectId(workspaceId)) return null;
  await ensureDatabase();
  const [user, membership, workspace] = await Promise.all([
    UserModel.findById(userId).lean<User>(),
    MembershipModel.findOne({ userId, workspaceId }).lean<Membership>(),
    WorkspaceModel.findById(workspaceId).lean<Workspace>(),
  ]);
  if (!user || !membership || !workspace) return null;
  return { user, membership, workspace };
}

/** The signed-in user, or a redirect to the login page that comes back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const found = await getSessionUser(request);
  if (found) return found;
  throw redirect(`/login?${new URLSearchParams({ redirectTo: currentPath(request) })}`);
}

/** The path the browser asked for, without Remix's own data-request parameters. */
function currentPath(request: Request): string {
  const url = new URL(request.url);
  url.searchParams.delete('_routes');
  url.searchParams.delete('index');
  return url.pathname + url.search;
}
