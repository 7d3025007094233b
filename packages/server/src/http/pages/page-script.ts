/**
 * The one script of the server's pages (`page-html.ts`), served as `/_pages/holdfast.js` under a
 * Content-Security-Policy that allows only this origin's scripts (no inline code, no eval). It reads the
 * link token from the URL fragment (never sent to a server), removes it from the address bar once read,
 * and calls the public API operations the page stands for; problems are shown by their `detail`.
 *
 * Kept as one plain ES2020 string (no build step, no framework): the pages are few and simple, and the
 * browser tests (`test/http/pages.test.ts`) run it in a real Chromium.
 */
export const pageScript = String.raw`'use strict';
(function () {
  var page = document.body.getAttribute('data-page');
  var token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token !== null) history.replaceState(null, '', location.pathname);
  function $(id) { return document.getElementById(id); }
  function show(kind, text) {
    var message = $('message');
    message.className = kind;
    message.textContent = text;
    message.hidden = false;
  }
  function problemText(answer) {
    var body = answer.body;
    if (body && typeof body.detail === 'string') return body.detail;
    if (body && typeof body.title === 'string') return body.title;
    return 'The server answered ' + answer.status + '. Try again.';
  }
  function call(method, path, body, csrf) {
    var headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (csrf) headers['x-csrf-token'] = csrf;
    return fetch(path, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text === '' ? null : JSON.parse(text); } catch (error) { parsed = null; }
        return { ok: response.ok, status: response.status, body: parsed };
      });
    }, function () {
      return { ok: false, status: 0, body: { detail: 'The server does not answer. Check your connection and try again.' } };
    });
  }
  function onSubmit(id, handler) {
    var form = $(id);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button');
      button.disabled = true;
      Promise.resolve(handler()).then(function () { button.disabled = false; });
    });
  }
  function value(id) { return $(id).value; }
  function needToken() {
    if (token !== null) return true;
    show('error', 'This page opens from the link in your email. Open the whole link, or ask for a new email.');
    var form = $('form');
    if (form) form.hidden = true;
    return false;
  }

  var pages = {
    '/sign-up': function () {
      call('GET', '/v1/regions').then(function (answer) {
        var select = $('region');
        (answer.ok ? answer.body.items : []).forEach(function (region) {
          var option = document.createElement('option');
          option.value = region.id;
          option.textContent = region.name;
          option.selected = region.default;
          select.appendChild(option);
        });
      });
      onSubmit('form', function () {
        var email = value('email');
        return call('POST', '/v1/auth/sign-up', {
          name: value('name').trim(), email: email, password: value('password'), region: value('region')
        }).then(function (answer) {
          if (!answer.ok) return show('error', problemText(answer));
          $('form').hidden = true;
          show('ok', 'Check your email: we sent a link to ' + email + ' to confirm the address. ' +
            '(On a server without SMTP, the email is a file in its outbox folder.)');
        });
      });
    },
    '/sign-in': function () {
      var challenge = null;
      var csrf = null;
      function signedIn(body) {
        csrf = body.session.csrfToken;
        $('form').hidden = true;
        $('second-factor').hidden = true;
        $('signed-in').hidden = false;
        var text = 'Signed in as ' + body.user.email + ' to ' + body.account.name + '.';
        if (body.nextStep === 'change_password') text += ' Your password expired: change it before anything else.';
        if (body.nextStep === 'enrol_second_factor') text += ' This account requires two-factor authentication: enrol an authenticator app first.';
        if (body.accountReactivated) text += ' The removal of the account is cancelled.';
        $('signed-in-as').textContent = text + ' The web console is not here yet; the API (/v1) accepts this session.';
        show('ok', 'You are signed in.');
      }
      onSubmit('form', function () {
        return call('POST', '/v1/auth/sign-in', { email: value('email'), password: value('password') }).then(function (answer) {
          if (answer.ok) return signedIn(answer.body);
          if (answer.body && answer.body.code === 'SECOND_FACTOR_REQUIRED') {
            challenge = answer.body.challenge;
            $('form').hidden = true;
            $('second-factor').hidden = false;
            return show('info', 'Enter a code from your authenticator app, or one of your recovery codes.');
          }
          show('error', problemText(answer));
        });
      });
      onSubmit('second-factor', function () {
        return call('POST', '/v1/auth/sign-in/second-factor', { challenge: challenge, code: value('code').trim() }).then(function (answer) {
          if (answer.ok) return signedIn(answer.body);
          if (answer.body && answer.body.code === 'UNAUTHENTICATED') {
            $('second-factor').hidden = true;
            $('form').hidden = false;
          }
          show('error', problemText(answer));
        });
      });
      $('sign-out').addEventListener('click', function () {
        call('POST', '/v1/auth/sign-out', undefined, csrf).then(function (answer) {
          if (!answer.ok) return show('error', problemText(answer));
          $('signed-in').hidden = true;
          $('form').hidden = false;
          show('ok', 'You are signed out.');
        });
      });
    },
    '/confirm-email': function () {
      if (!needToken()) return;
      onSubmit('form', function () {
        return call('POST', '/v1/auth/confirm-email', { token: token }).then(function (answer) {
          if (!answer.ok) return show('error', problemText(answer));
          $('form').hidden = true;
          show('ok', 'Your address ' + answer.body.email + ' is confirmed. You can sign in now.');
        });
      });
    },
    '/confirm-email-change': function () {
      if (!needToken()) return;
      onSubmit('form', function () {
        return call('POST', '/v1/account/email-change/confirm', { token: token }).then(function (answer) {
          if (!answer.ok) return show('error', problemText(answer));
          $('form').hidden = true;
          show('ok', 'Your account\'s address is now ' + answer.body.email + '.');
        });
      });
    },
    '/reset-password': function () {
      if (token === null) {
        $('request').hidden = false;
        onSubmit('request', function () {
          var email = value('request-email');
          return call('POST', '/v1/auth/password-reset', { email: email }).then(function (answer) {
            if (!answer.ok) return show('error', problemText(answer));
            $('request').hidden = true;
            show('ok', 'If ' + email + ' has an account, a link to reset its password is on its way.');
          });
        });
        return;
      }
      $('form').hidden = false;
      onSubmit('form', function () {
        if (value('password') !== value('confirmation')) return show('error', 'The two passwords differ.');
        return call('POST', '/v1/auth/password-reset/complete', { token: token, password: value('password') }).then(function (answer) {
          if (!answer.ok) return show('error', problemText(answer));
          $('form').hidden = true;
          show('ok', 'Your password is changed. Sign in with the new one.');
        });
      });
    },
    '/accept-invitation': function () {
      if (!needToken()) return;
      var path = '/v1/invitations/' + encodeURIComponent(token);
      call('GET', path).then(function (answer) {
        if (!answer.ok) return show('error', problemText(answer));
        var invitation = answer.body;
        $('invitation').textContent = (invitation.invitedBy ? invitation.invitedBy + ' invited ' : 'You are invited: ') +
          invitation.email + ' to ' + invitation.account.name + '.';
        if (invitation.name) $('name').value = invitation.name;
        $('form').hidden = false;
      });
      onSubmit('form', function () {
        return call('POST', path + '/accept', { name: value('name').trim(), password: value('password') }).then(function (answer) {
          if (!answer.ok) return show('error', problemText(answer));
          $('form').hidden = true;
          show('ok', 'Welcome to ' + answer.body.account.name + '. Sign in as ' + answer.body.email + '.');
        });
      });
    }
  };
  if (pages[page]) pages[page]();
})();
`;

/** The pages' style sheet, served as `/_pages/holdfast.css`. */
export const pageStyle = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
main { max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }
form { display: grid; gap: 0.5rem; margin: 1rem 0; }
input, select, button { font: inherit; padding: 0.5rem; }
button { cursor: pointer; }
.hint { font-size: 0.875rem; margin: 0; opacity: 0.8; }
.links { padding: 0; list-style: none; }
#message { padding: 0.75rem; border-radius: 0.25rem; }
#message.ok { background: #e6f4ea; color: #14532d; }
#message.info { background: #e8f0fe; color: #1e3a8a; }
#message.error, .error { background: #fdecea; color: #7f1d1d; }
[hidden] { display: none !important; }
`;
