/**
 * Accounts: signing up (through `createWorkspace`, shared with the demo seed), logging in and out.
 * Passwords are hashed with argon2id (`hashPassword` in @sapa/shared).
 */
import { redirect } from '@remix-run/node';
import { z } from 'zod';
import {
  DomainError,
  MembershipModel,
  UserModel,
  createWorkspace,
  hashPassword,
  randomId,
  verifyPassword,
  type Locale,
  type Membership,
  type User,
} from '@sapa/shared';
import { ensureDatabase } from './env.server';
import { cookieLocale, localeCookie } from './i18n.server';
import { rotateCsrfToken } from './csrf.server';
import { commitSession, destroySession, getSession } from './session.server';

const PASSWORD_MIN = 8;
// argon2 accepts any length, but hashing a megabyte-long "password" is a cheap way to burn CPU.
const PASSWORD_MAX = 256;

const email = z.string().trim().toLowerCase().max(254, 'error.emailInvalid').pipe(z.email('error.emailInvalid'));

export const signupSchema = z.object({
  name: z.string().trim().min(1, 'error.nameRequired').max(120, 'error.fieldTooLong'),
  workspaceName: z.string().trim().min(1, 'error.workspaceNameRequired').max(120, 'error.fieldTooLong'),
  email,
  password: z.string().min(PASSWORD_MIN, 'error.passwordTooShort').max(PASSWORD_MAX, 'error.passwordTooLong'),
});
export type SignupInput = z.output<typeof signupSchema>;

export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, 'error.invalidCredentials').max(254, 'error.invalidCredentials'),
  password: z.string().min(1, 'error.invalidCredentials').max(PASSWORD_MAX, 'error.invalidCredentials'),
});
export type LoginInput = z.output<typeof loginSchema>;

export interface Account {
  userId: string;
  workspaceId: string;
  locale: Locale;
}

export type SignupResult = { status: 'created'; account: Account } | { status: 'emailTaken' };

/** A new owner, their workspace, and a first chatbot with its web channel (`createWorkspace`). */
export async function signUp(input: SignupInput, locale: Locale): Promise<SignupResult> {
  await ensureDatabase();
  // Checked first so a taken email costs no argon2 hash; createWorkspace's unique index settles races.
  if (await UserModel.exists({ email: input.email })) return { status: 'emailTaken' };
  try {
    const { user, workspace } = await createWorkspace({
      workspaceName: input.workspaceName,
      owner: { email: input.email, name: input.name, password: input.password },
      locale,
    });
    return { status: 'created', account: { userId: String(user._id), workspaceId: String(workspace._id), locale } };
  } catch (err) {
    if (err instanceof DomainError && err.messageKey === 'error.emailTaken') return { status: 'emailTaken' };
    throw err;
  }
}

let unknownUserHash: Promise<string> | null = null;

/** The account for these credentials, or null. */
export async function logIn(input: LoginInput): Promise<Account | null> {
  await ensureDatabase();
  const user = await UserModel.findOne({ email: input.email }).lean<User>();
  if (!user) {
    // Spend the same argon2 time as for a real account, so timing does not reveal which emails exist.
    unknownUserHash ??= hashPassword(randomId());
    await verifyPassword(await unknownUserHash, input.password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) return null;
  const membership = await MembershipModel.findOne({ userId: user._id }).sort({ createdAt: 1 }).lean<Membership>();
  if (!membership) return null;
  return { userId: String(user._id), workspaceId: String(membership.workspaceId), locale: user.locale === 'en' ? 'en' : 'id' };
}

/** Signs the browser in as `account` and sends it to `redirectTo`. */
export async function startSession(request: Request, account: Account, redirectTo: string): Promise<Response> {
  const session = await getSession(request);
  session.set('userId', account.userId);
  session.set('workspaceId', account.workspaceId);
  rotateCsrfToken(session);
  const headers = new Headers();
  headers.append('Set-Cookie', await commitSession(session));
  // A browser with no language choice yet takes the account's, so every page (errors included) agrees.
  if (!cookieLocale(request)) headers.append('Set-Cookie', localeCookie(account.locale));
  return redirect(redirectTo, { headers });
}

export async function endSession(request: Request): Promise<Response> {
  const session = await getSession(request);
  return redirect('/login', { headers: { 'Set-Cookie': await destroySession(session) } });
}
