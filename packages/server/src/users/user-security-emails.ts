/**
 * The emails of the users' security operations, as pure functions of their facts like those of
 * `email/templates.ts` (whose link paths and time format they reuse): a plain-text body, and an HTML
 * alternative saying the same with every interpolated value escaped. They carry no link token: a notice
 * needs none, and the sign-in page is enough.
 */
import { formatTime, linkPaths, type EmailContent } from '../email/templates.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function notice(subject: string, name: string | null, paragraphs: readonly string[], signInUrl: string): EmailContent {
  const lines = [name === null ? 'Hello,' : `Hello ${name},`, ...paragraphs];
  const text = [...lines, `Sign in:\n${signInUrl}`, '— Holdfast'].join('\n\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(signInUrl)}">Sign in</a></p>`,
    '<p>— Holdfast</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** To a user whose two-factor authentication an administrator turned off (`resetUserTwoFactor`). */
export function twoFactorResetEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  readonly accountName: string;
  /** Whether the account requires two-factor authentication (then they enrol again at sign-in). */
  readonly twoFactorRequired: boolean;
  readonly at: Date;
}): EmailContent {
  return notice(
    'Two-factor authentication of your Holdfast account was turned off',
    facts.name,
    [
      `An administrator of ${facts.accountName} turned off two-factor authentication for your Holdfast sign-in ` +
        `on ${formatTime(facts.at)}. Your authenticator app's codes and your recovery codes no longer work, ` +
        'and you were signed out everywhere.',
      facts.twoFactorRequired
        ? 'Sign in with your password: the account requires two-factor authentication, so you will set up your ' +
          'authenticator app again straight away.'
        : 'Sign in with your password, then turn two-factor authentication on again in your settings.',
      'If you did not ask for this, tell your administrator at once and change your password.',
    ],
    `${facts.publicUrl}${linkPaths.signIn}`,
  );
}
