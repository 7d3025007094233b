/**
 * The email every Administrator of an account gets when its IP restrictions change (S6): a rule added,
 * changed or deleted, restrictions switched on or off; with who did it, from which address and when.
 * A pure function of its facts, like the templates of `email/templates.ts` (whose {@link EmailContent},
 * {@link formatTime} and {@link linkPaths} it reuses): a plain-text body and an HTML alternative saying
 * the same, every interpolated value escaped. Descriptions are the administrators' own words, shown as
 * quoted text.
 */
import { formatTime, linkPaths, renderEmail, type EmailContent } from '../email/templates.ts';

/** A rule as the email shows it. */
export interface RuleFacts {
  readonly range: string;
  readonly description: string;
}

/** What changed. */
export type IpRestrictionChange =
  | { readonly kind: 'rule_created'; readonly rule: RuleFacts }
  | { readonly kind: 'rule_updated'; readonly from: RuleFacts; readonly to: RuleFacts }
  | { readonly kind: 'rule_deleted'; readonly rule: RuleFacts }
  | { readonly kind: 'enabled'; readonly ruleCount: number }
  | { readonly kind: 'disabled' };

/** The facts of one email. */
export interface IpRestrictionChangeFacts {
  readonly publicUrl: string;
  /** The recipient's name, when known. */
  readonly name: string | null;
  readonly accountName: string;
  readonly change: IpRestrictionChange;
  /** Who changed it, for people: an address, or `the API key "Nightly export"`. */
  readonly actor: string;
  /** The address the change came from. */
  readonly address: string;
  readonly at: Date;
}

function rule(facts: RuleFacts): string {
  return facts.description === '' ? facts.range : `${facts.range} ("${facts.description}")`;
}

function summary(change: IpRestrictionChange): { subject: string; lines: string[] } {
  switch (change.kind) {
    case 'rule_created':
      return { subject: 'a trusted address was added', lines: [`Added the trusted range ${rule(change.rule)}.`] };
    case 'rule_updated':
      return {
        subject: 'a trusted address was changed',
        lines: [`Changed the trusted range ${rule(change.from)}`, `to ${rule(change.to)}.`],
      };
    case 'rule_deleted':
      return {
        subject: 'a trusted address was removed',
        lines: [`Removed the trusted range ${rule(change.rule)}: its addresses are no longer trusted.`],
      };
    case 'enabled':
      return {
        subject: 'IP restrictions are on',
        lines: [
          "Turned IP restrictions on: sign-ins, browser sessions and API keys now work only from the account's " +
            `${String(change.ruleCount)} trusted ${change.ruleCount === 1 ? 'range' : 'ranges'}.`,
        ],
      };
    case 'disabled':
      return {
        subject: 'IP restrictions are off',
        lines: ['Turned IP restrictions off: the account can be used from any address again.'],
      };
  }
}

/** The email to one Administrator about one change. */
export function ipRestrictionChangedEmail(facts: IpRestrictionChangeFacts): EmailContent {
  const { subject, lines } = summary(facts.change);
  const paragraphs = [
    `The IP restrictions of the Holdfast account ${facts.accountName} changed.`,
    lines.join('\n'),
    `By: ${facts.actor}\nFrom the address: ${facts.address}\nAt: ${formatTime(facts.at)}`,
    'If you did not expect this change, sign in and review the trusted addresses, and tell your other ' +
      'Administrators: anyone who can change them can let themselves in or lock others out.',
  ];
  return renderEmail({
    subject: `Holdfast account ${facts.accountName}: ${subject}`,
    greeting: facts.name,
    paragraphs,
    action: { label: 'Sign in', url: `${facts.publicUrl}${linkPaths.signIn}` },
  });
}
