/**
 * The server's own small pages: the landing page, sign-up, sign-in, and the pages the emailed links open
 * (`email/templates.ts` `linkPaths`). Until the web console exists they are what a person who runs
 * `pnpm start` uses to create the first account and to follow the links in the emails; the console will
 * replace them at the same paths.
 *
 * Each page is static HTML: a form whose fields have stable ids, a message area, and the one script
 * (`/_pages/holdfast.js`, `page-script.ts`) that reads the token from the URL fragment and talks to the
 * API. No page interpolates anything from the request, so there is nothing to escape but the server's
 * own strings.
 */

/** A page: its path, its title, and the inside of its `<main>`. */
export interface PageDefinition {
  readonly path: string;
  readonly title: string;
  readonly body: string;
}

const field = (id: string, label: string, type: string, extra = ''): string =>
  `<label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" required ${extra}>`;

const passwordHint = '<p class="hint">At least 12 characters; not your email address; not a common password.</p>';

/** The pages, by path. */
export const pages: readonly PageDefinition[] = [
  {
    path: '/',
    title: 'Holdfast',
    body: `<h1>Holdfast</h1>
<p>This is a Holdfast backup server. Its REST API lives under <code>/v1</code>; the web console comes later.</p>
<ul class="links">
<li><a href="/sign-up">Create an account</a></li>
<li><a href="/sign-in">Sign in</a></li>
<li><a href="/reset-password">Forgot your password?</a></li>
</ul>`,
  },
  {
    path: '/sign-up',
    title: 'Create a Holdfast account',
    body: `<h1>Create an account</h1>
<form id="form">
${field('name', 'Your name', 'text', 'autocomplete="name" maxlength="100"')}
${field('email', 'Email address', 'email', 'autocomplete="email"')}
${field('password', 'Password', 'password', 'autocomplete="new-password" minlength="12"')}
${passwordHint}
<label for="region">Storage region (cannot be changed later)</label><select id="region" name="region" required></select>
<button type="submit">Create account</button>
</form>
<p class="links"><a href="/sign-in">I have an account</a></p>`,
  },
  {
    path: '/sign-in',
    title: 'Sign in to Holdfast',
    body: `<h1>Sign in</h1>
<form id="form">
${field('email', 'Email address', 'email', 'autocomplete="username"')}
${field('password', 'Password', 'password', 'autocomplete="current-password"')}
<button type="submit">Sign in</button>
</form>
<form id="second-factor" hidden>
${field('code', 'Code from your authenticator app, or a recovery code', 'text', 'autocomplete="one-time-code" inputmode="text" maxlength="20"')}
<button type="submit">Continue</button>
</form>
<section id="signed-in" hidden>
<p id="signed-in-as"></p>
<button type="button" id="sign-out">Sign out</button>
</section>
<p class="links"><a href="/reset-password">Forgot your password?</a> · <a href="/sign-up">Create an account</a></p>`,
  },
  {
    path: '/confirm-email',
    title: 'Confirm your email address',
    body: `<h1>Confirm your email address</h1>
<form id="form">
<p>Confirm the address you signed up with to activate your account.</p>
<button type="submit">Confirm my address</button>
</form>`,
  },
  {
    path: '/confirm-email-change',
    title: 'Confirm your new email address',
    body: `<h1>Confirm your new email address</h1>
<form id="form">
<p>Confirm this address to make it your account's address.</p>
<button type="submit">Confirm the new address</button>
</form>`,
  },
  {
    path: '/reset-password',
    title: 'Reset your password',
    body: `<h1>Reset your password</h1>
<form id="request" hidden>
${field('request-email', 'Email address', 'email', 'autocomplete="email"')}
<button type="submit">Email me a link</button>
</form>
<form id="form" hidden>
${field('password', 'New password', 'password', 'autocomplete="new-password" minlength="12"')}
${field('confirmation', 'New password again', 'password', 'autocomplete="new-password"')}
${passwordHint}
<button type="submit">Set the new password</button>
</form>`,
  },
  {
    path: '/accept-invitation',
    title: 'Join Holdfast',
    body: `<h1>Join Holdfast</h1>
<p id="invitation"></p>
<form id="form" hidden>
${field('name', 'Your name', 'text', 'autocomplete="name" maxlength="100"')}
${field('password', 'Choose a password', 'password', 'autocomplete="new-password" minlength="12"')}
${passwordHint}
<button type="submit">Accept the invitation</button>
</form>`,
  },
];

/** The whole HTML document of a page. */
export function renderPage(page: PageDefinition): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title}</title>
<link rel="stylesheet" href="/_pages/holdfast.css">
<script src="/_pages/holdfast.js" defer></script>
</head>
<body data-page="${page.path}">
<main>
${page.body}
<p id="message" role="status" hidden></p>
<noscript><p class="error">This page needs JavaScript to talk to the server.</p></noscript>
</main>
</body>
</html>
`;
}
