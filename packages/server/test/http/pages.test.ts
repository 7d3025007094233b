/**
 * The server's own pages in a real browser (Debian's Chromium, driven by playwright-core): a new person
 * signs up, follows the confirmation link from the email, signs in (with and without a second factor),
 * signs out, resets a forgotten password and accepts an invitation, all through the pages and under their
 * Content-Security-Policy (a refused script or style would leave the forms dead, and is also caught from
 * the console). Plain HTTP checks cover the headers and that the API's paths are untouched.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLink } from '../../src/accounts/email-links.ts';
import { twoFactorKeys } from '../../src/accounts/two-factor.ts';
import { createPasswordHasher } from '../../src/auth/passwords.ts';
import { newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import { pageContentSecurityPolicy, pagePaths } from '../../src/http/pages/pages-middleware.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedUser, uniqueEmail } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

/** Debian's Chromium binary (`apt-get install chromium`; `scripts/setup.sh` installs it). */
const chromiumPath = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((path) => existsSync(path));

const password = 'a long and unusual passphrase';

describe('the pages over HTTP', () => {
  let running: RunningServer;
  beforeAll(async () => {
    const { createDatabaseUnderTest } = await import('../support/databases.ts');
    const database = await createDatabaseUnderTest('sqlite');
    running = await startServer(database.config);
    return async () => {
      await running.close();
      await database.cleanup();
    };
  });

  it.each(pagePaths)('serves %s with its type and the pages policy', async (path) => {
    const response = await fetch(`${running.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-type')).toMatch(/^text\/(html|javascript|css); charset=utf-8$/);
    const text = await response.text();
    if (path.endsWith('.js') || path.endsWith('.css')) return;
    expect(text).toContain('<script src="/_pages/holdfast.js" defer></script>');
    expect(text).not.toMatch(/<script>|<style|\son[a-z]+=/i); // nothing inline: the policy would refuse it
  });

  it('answers HEAD like GET without a body, and leaves every other path to the API', async () => {
    const head = await fetch(`${running.url}/sign-in`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${running.url}/sign-in`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toContain('application/problem+json');
    const api = await fetch(`${running.url}/v1/regions`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect((await fetch(`${running.url}/sign-in/`)).status).toBe(404);
  });
});

describeOnBothDatabases('the pages in a browser', (target) => {
  const mail = new CapturedMail();
  let running: RunningServer;
  let browser: Browser;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (chromiumPath === undefined) {
      throw new Error('Chromium is not installed: run scripts/setup.sh (it runs `apt-get install -y chromium`).');
    }
    running = await startServer(target().config, { mailer: mail });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
    expect(consoleErrors).toEqual([]);
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of (4\d\d)/.test(message.text())) consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${running.url}${path}`);
    return page;
  }

  /** The emailed link, pointed at the server under test (emails use the configured public URL). */
  function lastLink(address: string): string {
    const text = mail.to(address).at(-1)?.text ?? '';
    const url = /https?:\/\/\S+#token=\S+/.exec(text)?.[0];
    if (url === undefined) throw new Error(`no link was sent to ${address}`);
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.hash}`;
  }

  async function accountWithPassword(name?: string) {
    const passwordHash = await createPasswordHasher(target().config.passwordHashing).hash(password);
    return seedAccount(running.server.services.database.db, { passwordHash, ...(name === undefined ? {} : { name }) });
  }

  async function message(page: Page): Promise<string> {
    const status = page.locator('#message');
    await status.waitFor({ state: 'visible' });
    return (await status.textContent()) ?? '';
  }

  it('signs a new person up, confirms the address from the email, signs in and out', async () => {
    const email = uniqueEmail('pages');
    const page = await open('/sign-up');
    await expect.poll(() => page.locator('#region option').count()).toBe(2);
    expect(await page.locator('#region').inputValue()).toBe('eu-central');
    await page.fill('#name', 'Grace Hopper');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.selectOption('#region', 'us-east');
    await page.click('button[type=submit]');
    expect(await message(page)).toContain(`we sent a link to ${email}`);

    const confirm = await open(lastLink(email));
    expect(new URL(confirm.url()).hash).toBe(''); // the token leaves the address bar once read
    await confirm.click('button[type=submit]');
    expect(await message(confirm)).toBe(`Your address ${email} is confirmed. You can sign in now.`);
    await confirm.reload();
    expect(await message(confirm)).toContain('This page opens from the link in your email');

    const signIn = await open('/sign-in');
    await signIn.fill('#email', email);
    await signIn.fill('#password', 'not the password at all');
    await signIn.click('#form button');
    expect(await message(signIn)).toBe('The email address or the password is wrong.');
    await signIn.fill('#password', password);
    await signIn.click('#form button');
    await signIn.locator('#signed-in').waitFor();
    expect(await signIn.textContent('#signed-in-as')).toContain(`Signed in as ${email} to Grace Hopper.`);
    const account = await running.server.services.database.db
      .selectFrom('accounts')
      .innerJoin('users', 'users.account_id', 'accounts.id')
      .select('accounts.region')
      .where('users.email_normalized', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(account.region).toBe('us-east');
    await signIn.click('#sign-out');
    await expect.poll(() => signIn.textContent('#message')).toBe('You are signed out.');
  });

  it('asks for the second factor when the user has one', async () => {
    const db = running.server.services.database.db;
    const account = await accountWithPassword();
    const secret = newTotpSecret();
    await db
      .updateTable('users')
      .set({ totp_secret: twoFactorKeys(running.server.services.masterKey).box.seal(secret, account.primary.id) })
      .where('account_id', '=', account.id)
      .where('id', '=', account.primary.id)
      .execute();
    const page = await open('/sign-in');
    await page.fill('#email', account.primary.email);
    await page.fill('#password', password);
    await page.click('#form button');
    await page.locator('#second-factor').waitFor();
    await page.fill('#code', '000000');
    await page.click('#second-factor button');
    await expect.poll(() => page.textContent('#message')).toBe('The code is wrong, expired or already used.');
    await page.fill('#code', totpCode(secret, new Date()));
    await page.click('#second-factor button');
    await page.locator('#signed-in').waitFor();
    expect(await page.textContent('#signed-in-as')).toContain(`Signed in as ${account.primary.email}`);
  });

  it('resets a forgotten password, holding to the password policy', async () => {
    const account = await accountWithPassword();
    const request = await open('/reset-password');
    await request.fill('#request-email', account.primary.email);
    await request.click('#request button');
    expect(await message(request)).toContain('a link to reset its password is on its way');
    await expect.poll(() => mail.to(account.primary.email).length).toBe(1);

    const reset = await open(lastLink(account.primary.email));
    await reset.fill('#password', 'password1234');
    await reset.fill('#confirmation', 'password1234');
    await reset.click('#form button');
    expect(await message(reset)).toBe('This password is too common; choose another.');
    await reset.fill('#password', 'an even longer new passphrase');
    await reset.fill('#confirmation', 'an even longer new passphrase');
    await reset.click('#form button');
    await expect.poll(() => reset.textContent('#message')).toBe('Your password is changed. Sign in with the new one.');
    const signIn = await fetch(`${running.url}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.primary.email, password: 'an even longer new passphrase' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('accepts an invitation, and says so plainly when a link is no longer valid', async () => {
    const db = running.server.services.database.db;
    const account = await accountWithPassword('Difference Engines');
    const invited = await seedUser(db, account.id, {
      status: 'invited',
      name: 'Charles',
      invitedBy: account.primary.id,
    });
    const { token } = await issueLink(db, {
      accountId: account.id,
      userId: invited.id,
      purpose: 'invitation',
      now: new Date(),
      lifetimeMs: 3_600_000,
    });
    const page = await open(`/accept-invitation#token=${token}`);
    await page.locator('#form').waitFor();
    expect(await page.textContent('#invitation')).toContain(`invited ${invited.email} to Difference Engines.`);
    expect(await page.inputValue('#name')).toBe('Charles');
    await page.fill('#password', password);
    await page.click('#form button');
    expect(await message(page)).toBe(`Welcome to Difference Engines. Sign in as ${invited.email}.`);

    const again = await open(`/accept-invitation#token=${token}`);
    expect(await message(again)).toContain('no longer valid');
    const missing = await open('/confirm-email');
    expect(await message(missing)).toContain('This page opens from the link in your email');
  });
});
