/**
 * Two-factor authentication of the caller (S3): `getTwoFactor`, `startTwoFactorEnrolment` (a new secret,
 * sealed at rest, shown once as base32, an `otpauth://` URI and a QR code), `enableTwoFactor` (a current
 * code proves the app has it; 10 recovery codes shown once) and `disableTwoFactor` (password and code).
 * Sessions only: an API key has no second factor. The secret never goes to the logs or back to a client
 * after enrolment.
 */
import QRCode from 'qrcode';
import { base32Encode, newTotpSecret, otpauthUri } from '../auth/totp.ts';
import type { User } from '../db/database-schema.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Principal } from '../auth/principal.ts';
import { findUser } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';
import {
  recoveryCodesLeft,
  replaceRecoveryCodes,
  twoFactorKeys,
  usePendingTotp,
  useSecondFactor,
} from './two-factor.ts';

function conflict(detail: string): HttpProblem {
  return new HttpProblem(409, 'CONFLICT', detail);
}

function invalidCode(): HttpProblem {
  return new HttpProblem(401, 'SECOND_FACTOR_INVALID', 'The code is wrong, expired or already used.');
}

export function twoFactorHandlers({ services, passwords }: AccountsContext): HandlerRegistry {
  const { database, clock } = services;
  const db = database.db;
  const keys = twoFactorKeys(services.masterKey);

  async function caller(principal: Principal | null): Promise<User> {
    const user = principal?.userId == null ? undefined : await findUser(db, principal.accountId, principal.userId);
    if (user === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Sign in.');
    return user;
  }

  return {
    async getTwoFactor({ principal }) {
      const user = await caller(principal);
      return {
        status: 200,
        body: {
          enabled: user.totp_secret !== null,
          enabledAt: user.totp_enabled_at === null ? null : toApiTime(user.totp_enabled_at),
          enrolmentPending: user.totp_pending_secret !== null,
          recoveryCodesLeft: user.totp_secret === null ? 0 : await recoveryCodesLeft(db, user),
        },
      };
    },

    async startTwoFactorEnrolment({ principal }) {
      const user = await caller(principal);
      if (user.totp_secret !== null) throw conflict('Two-factor authentication is already on; turn it off first.');
      const secret = newTotpSecret();
      const sealed = keys.box.seal(secret, user.id);
      await db
        .updateTable('users')
        .set({ totp_pending_secret: sealed, updated_at: toTimestamp(clock()) })
        .where('account_id', '=', user.account_id)
        .where('id', '=', user.id)
        .execute();
      const uri = otpauthUri(secret, user.email);
      const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      const answer = {
        secret: base32Encode(secret),
        otpauthUri: uri,
        qrCode: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
      };
      secret.fill(0);
      return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: answer };
    },

    async enableTwoFactor({ principal, body }) {
      const user = await caller(principal);
      if (user.totp_secret !== null) throw conflict('Two-factor authentication is already on.');
      if (user.totp_pending_secret === null) throw conflict('Start an enrolment first (startTwoFactorEnrolment).');
      const now = clock();
      if (!(await usePendingTotp(db, keys, user, body.code, now))) throw invalidCode();
      const recoveryCodes = await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({
            totp_secret: user.totp_pending_secret,
            totp_pending_secret: null,
            totp_enabled_at: toTimestamp(now),
            updated_at: toTimestamp(now),
          })
          .where('account_id', '=', user.account_id)
          .where('id', '=', user.id)
          .execute();
        return replaceRecoveryCodes(trx, keys, user, now);
      });
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { recoveryCodes } };
    },

    async disableTwoFactor({ principal, body }) {
      const user = await caller(principal);
      const passwordOk =
        user.password_hash === null
          ? await passwords.verifyNobody(body.password)
          : await passwords.verify(body.password, user.password_hash);
      if (!passwordOk) throw new HttpProblem(401, 'INVALID_CREDENTIALS', 'The password is wrong.');
      if (user.totp_secret === null) throw conflict('Two-factor authentication is off.');
      const now = clock();
      if ((await useSecondFactor(db, keys, user, body.code, now)) === null) throw invalidCode();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({
            totp_secret: null,
            totp_pending_secret: null,
            totp_enabled_at: null,
            totp_last_step: null,
            updated_at: toTimestamp(now),
          })
          .where('account_id', '=', user.account_id)
          .where('id', '=', user.id)
          .execute();
        await trx
          .deleteFrom('recovery_codes')
          .where('account_id', '=', user.account_id)
          .where('user_id', '=', user.id)
          .execute();
      });
      return { status: 204 };
    },
  };
}
