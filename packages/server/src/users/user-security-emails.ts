/**
 * The emails of the users' security operations, as pure functions of their facts like those of
 * `email/templates.ts` (whose link paths and time format they reuse): a plain-text body, and an HTML
 * alternative saying the same with every interpolated value escaped. They carry no link token: a notice
 * needs none, and the sign-in page is enough.
 */
import { formatTime, linkPaths, renderEmail, type EmailContent } from '../email/templates.ts';

function notice(subject: string, name: string | null, paragraphs: readonly string[], signInUrl: string): EmailContent {
  return renderEmail({ subject, greeting: name, paragraphs, action: { label: 'Sign in', url: signInUrl } });
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
