/**
 * Email: the {@link Mailer} port, its SMTP and outbox implementations, and the message templates.
 */
export { createMailer, type MailerConfig } from './create-mailer.ts';
export { MailDeliveryError, type EmailMessage, type Mailer } from './mailer.ts';
export * from './templates.ts';
