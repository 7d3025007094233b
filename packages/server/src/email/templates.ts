/**
 * The emails the server sends, as pure functions of their facts: each returns `{ subject, text, html }`
 * for `mailer.send({ to, ...template(...) })`. Every message has a plain-text body; the HTML alternative
 * says the same, with every interpolated value escaped.
 *
 * Links point at pages under `publicUrl` and carry their token in the URL fragment
 * (`https://backup.example.org/confirm-email#token=…`): browsers never send a fragment to a server, so
 * the token stays out of access logs, proxies and `Referer` headers (openapi/README.md). The page (the
 * server's own, `http/pages/`, until the web console takes those paths over) reads it and posts it to
 * the API ({@link linkPaths} lists the pages and the operations they call).
 */

/** A rendered email, without its recipient. */
export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The console pages emailed links open, and the API operation each page calls with the token. */
export const linkPaths = {
  /** `confirmEmail` */
  confirmEmail: '/confirm-email',
  /** `completePasswordReset` */
  resetPassword: '/reset-password',
  /** `confirmAccountEmailChange` */
  confirmEmailChange: '/confirm-email-change',
  /** `getInvitation`, then `acceptInvitation` */
  acceptInvitation: '/accept-invitation',
  /** Sign-in page, for notices. */
  signIn: '/sign-in',
} as const;

/** A link to a console page with the token in the fragment. */
export function linkWithToken(publicUrl: string, path: string, token: string): string {
  return `${publicUrl}${path}#token=${encodeURIComponent(token)}`;
}

/** `2026-12-01 09:00 UTC` */
export function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** What an email says, for {@link renderEmail}; every value is plain text (escaped in the HTML). */
export interface EmailBody {
  readonly subject: string;
  readonly greeting: string | null;
  /** Paragraphs, plain text; a line break inside one stays a line break (`<br>` in the HTML). */
  readonly paragraphs: readonly string[];
  /** The one action of the message. */
  readonly action?: { readonly label: string; readonly url: string };
  /** Paragraphs after the action. */
  readonly after?: readonly string[];
}

/**
 * The plain-text body and the HTML alternative of a message: the greeting, the paragraphs, the one
 * action as a link, the paragraphs after it and the signature. Every template of the server uses it.
 */
export function renderEmail(body: EmailBody): EmailContent {
  const hello = body.greeting === null ? 'Hello,' : `Hello ${body.greeting},`;
  const text = [
    hello,
    ...body.paragraphs,
    ...(body.action === undefined ? [] : [`${body.action.label}:\n${body.action.url}`]),
    ...(body.after ?? []),
    '— Holdfast',
  ].join('\n\n');
  const paragraph = (line: string): string => `<p>${escapeHtml(line).replaceAll('\n', '<br>')}</p>`;
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    paragraph(hello),
    ...body.paragraphs.map(paragraph),
    ...(body.action === undefined
      ? []
      : [`<p><a href="${escapeHtml(body.action.url)}">${escapeHtml(body.action.label)}</a></p>`]),
    ...(body.after ?? []).map(paragraph),
    paragraph('— Holdfast'),
    '</body></html>',
  ].join('\n');
  return { subject: body.subject, text, html };
}

const ignore = 'If you did not ask for this, ignore this email: nothing changes.';

/** Sign-up: confirm the address to activate the account. */
export function signUpConfirmationEmail(facts: {
  readonly publicUrl: string;
  readonly name: string;
  readonly token: string;
  readonly expiresAt: Date;
}): EmailContent {
  return renderEmail({
    subject: 'Confirm your email address for Holdfast',
    greeting: facts.name,
    paragraphs: ['Thank you for signing up. Confirm your email address to activate your Holdfast account.'],
    action: { label: 'Confirm your address', url: linkWithToken(facts.publicUrl, linkPaths.confirmEmail, facts.token) },
    after: [`The link works once, until ${formatTime(facts.expiresAt)}.`, ignore],
  });
}

/** Sign-up with an address that already has an account: told to its owner, not to the caller. */
export function signUpAddressInUseEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
}): EmailContent {
  return renderEmail({
    subject: 'Someone tried to sign up to Holdfast with your address',
    greeting: facts.name,
    paragraphs: [
      'Someone, perhaps you, tried to create a Holdfast account with this email address, which already has one. ' +
        'No new account was made.',
      'If it was you, sign in instead, or ask for a password reset on the sign-in page.',
    ],
    action: { label: 'Sign in', url: `${facts.publicUrl}${linkPaths.signIn}` },
    after: [ignore],
  });
}

/** Password reset link. */
export function passwordResetEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  readonly token: string;
  readonly expiresAt: Date;
}): EmailContent {
  return renderEmail({
    subject: 'Reset your Holdfast password',
    greeting: facts.name,
    paragraphs: ['Someone, perhaps you, asked to reset the password of your Holdfast account.'],
    action: {
      label: 'Choose a new password',
      url: linkWithToken(facts.publicUrl, linkPaths.resetPassword, facts.token),
    },
    after: [`The link works once, until ${formatTime(facts.expiresAt)}.`, ignore],
  });
}

/** After a password reset: every session ended. */
export function passwordChangedEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  /** With a reset link (every session ended), or by the user while signed in (their other sessions ended). */
  readonly how: 'reset' | 'change';
}): EmailContent {
  return renderEmail({
    subject: 'Your Holdfast password was changed',
    greeting: facts.name,
    paragraphs: [
      facts.how === 'reset'
        ? 'The password of your Holdfast account was just changed with a reset link, and every session was signed out.'
        : 'The password of your Holdfast account was just changed while signed in, and your other sessions were signed out.',
      'If this was not you, reset your password again at once and tell your administrator.',
    ],
    action: { label: 'Sign in', url: `${facts.publicUrl}${linkPaths.signIn}` },
  });
}

/** Email change: to the new address, to confirm it. */
export function emailChangeConfirmationEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  readonly newEmail: string;
  readonly token: string;
  readonly expiresAt: Date;
}): EmailContent {
  return renderEmail({
    subject: 'Confirm your new email address for Holdfast',
    greeting: facts.name,
    paragraphs: [
      `Confirm that ${facts.newEmail} is to be the address of your Holdfast account. ` +
        'Until you do, nothing changes; after, you sign in with this address.',
    ],
    action: {
      label: 'Confirm the new address',
      url: linkWithToken(facts.publicUrl, linkPaths.confirmEmailChange, facts.token),
    },
    after: [`The link works once, until ${formatTime(facts.expiresAt)}.`, ignore],
  });
}

/** Email change: to the current address, as a notice. */
export function emailChangeNoticeEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  readonly newEmail: string;
}): EmailContent {
  return renderEmail({
    subject: 'Your Holdfast email address is about to change',
    greeting: facts.name,
    paragraphs: [
      `Someone signed in to your Holdfast account asked to change its email address to ${facts.newEmail}. ` +
        'The change takes effect when that address is confirmed.',
      'If this was not you, reset your password now: the request ends when a new one is made or the link expires.',
    ],
    action: { label: 'Sign in', url: `${facts.publicUrl}${linkPaths.signIn}` },
  });
}

/** Account removal requested: the 7-day grace period started. */
export function accountRemovalRequestedEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  readonly accountName: string;
  readonly purgeAt: Date;
}): EmailContent {
  return renderEmail({
    subject: `Your Holdfast account ${facts.accountName} will be removed`,
    greeting: facts.name,
    paragraphs: [
      `The account ${facts.accountName} and all its data will be purged on ${formatTime(facts.purgeAt)}. ` +
        'Backups have stopped, and its other users and API keys can no longer use it.',
      'Changed your mind? Sign in before then (or cancel the removal in the account settings) and the account is ' +
        'active again. After that date nothing can be brought back.',
    ],
    action: { label: 'Sign in to keep the account', url: `${facts.publicUrl}${linkPaths.signIn}` },
  });
}

/** Account removal cancelled: active again. */
export function accountRemovalCancelledEmail(facts: {
  readonly publicUrl: string;
  readonly name: string | null;
  readonly accountName: string;
  /** True when a sign-in reactivated the account, false when the removal was cancelled. */
  readonly bySignIn: boolean;
}): EmailContent {
  return renderEmail({
    subject: `Your Holdfast account ${facts.accountName} is active again`,
    greeting: facts.name,
    paragraphs: [
      facts.bySignIn
        ? `You signed in during the grace period, so the removal of ${facts.accountName} is cancelled.`
        : `The removal of ${facts.accountName} is cancelled.`,
      'The account is active again. Its users can sign in again; API keys need new tokens.',
    ],
    action: { label: 'Sign in', url: `${facts.publicUrl}${linkPaths.signIn}` },
  });
}

/** Invitation of a portal user (sent by the users module). */
export function invitationEmail(facts: {
  readonly publicUrl: string;
  /** The invitee's name, when the inviter gave one. */
  readonly name: string | null;
  readonly accountName: string;
  /** Who invited, when known. */
  readonly inviterName: string | null;
  readonly token: string;
  readonly expiresAt: Date;
}): EmailContent {
  const invited =
    facts.inviterName === null
      ? `You are invited to join ${facts.accountName} on Holdfast.`
      : `${facts.inviterName} invited you to join ${facts.accountName} on Holdfast.`;
  return renderEmail({
    subject: `You are invited to ${facts.accountName} on Holdfast`,
    greeting: facts.name,
    paragraphs: [`${invited} Accept to choose your name and password.`],
    action: {
      label: 'Accept the invitation',
      url: linkWithToken(facts.publicUrl, linkPaths.acceptInvitation, facts.token),
    },
    after: [
      `The link works once, until ${formatTime(facts.expiresAt)}.`,
      'If you did not expect this, ignore this email.',
    ],
  });
}
