/**
 * Two-factor authentication of the caller (S3): `getTwoFactor`, `startTwoFactorEnrolment` (a new secret,
 * sealed at rest, shown once as base32, an `otpauth://` URI and a QR code), `enableTwoFactor` (a current
 * code proves the app has it; 10 recovery codes shown once), `disableTwoFactor` (password and code) and
 * `regenerateRecoveryCodes` (a current TOTP code, never a recovery code; the old codes all end).
 * Sessions only: an API key has no second factor. The secret never goes to the logs or back to a client
 * after enrolment.
 *
 * Audited in the action's transaction, with the code check in it too (so a code is used up only when the
 * action commits): `two_factor_enabled`, `two_factor_disabled` (and `recovery_code_used` when a recovery
 * code did it), `recovery_codes_regenerated`. Entries say which kind of code, never the code.
 */
import QRCode from 'qrcode';
import { base32Encode, newTotpSecret, otpauthUri } from '../auth/totp.ts';
import type { User } from '../db/database-schema.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Principal } from '../auth/principal.ts';
import { recordRequestAudit } from '../audit/audit-request.ts';
import { findUser } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';
import {
  recoveryCodeCount,
  recoveryCodesLeft,
  replaceRecoveryCodes,
  turnOffTwoFactor,
  twoFactorKeys,
  useCurrentTotp,
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

  /** The admitted principal (these operations are never public). */
  function callerPrincipal(principal: Principal | null): Principal {
    if (principal === null) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Sign in.');
    return principal;
  }

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

    async enableTwoFactor({ principal, body, ctx }) {
      const user = await caller(principal);
      if (user.totp_secret !== null) throw conflict('Two-factor authentication is already on.');
      if (user.totp_pending_secret === null) throw conflict('Start an enrolment first (startTwoFactorEnrolment).');
      const now = clock();
      const recoveryCodes = await db.transaction().execute(async (trx) => {
        if (!(await usePendingTotp(trx, keys, user, body.code, now))) throw invalidCode();
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
        const codes = await replaceRecoveryCodes(trx, keys, user, now);
        await recordRequestAudit(
          trx,
          callerPrincipal(principal),
          ctx,
          {
            activity: 'two_factor_enabled',
            status: 'succeeded',
            description: `Turned on two-factor authentication for ${user.email}.`,
            details: { method: 'totp', recoveryCodesIssued: codes.length },
          },
          now,
        );
        return codes;
      });
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { recoveryCodes } };
    },

    async disableTwoFactor({ principal, body, ctx }) {
      const user = await caller(principal);
      const passwordOk =
        user.password_hash === null
          ? await passwords.verifyNobody(body.password)
          : await passwords.verify(body.password, user.password_hash);
      if (!passwordOk) throw new HttpProblem(401, 'INVALID_CREDENTIALS', 'The password is wrong.');
      if (user.totp_secret === null) throw conflict('Two-factor authentication is off.');
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const passed = await useSecondFactor(trx, keys, user, body.code, now);
        if (passed === null) throw invalidCode();
        const who = callerPrincipal(principal);
        if (passed === 'recovery') {
          await recordRequestAudit(
            trx,
            who,
            ctx,
            {
              activity: 'recovery_code_used',
              status: 'succeeded',
              description: `A recovery code of ${user.email} was used to turn off two-factor authentication.`,
              details: { usedFor: 'two_factor_disabled' },
            },
            now,
          );
        }
        if (!(await turnOffTwoFactor(trx, user, now))) throw conflict('Two-factor authentication is off.');
        await recordRequestAudit(
          trx,
          who,
          ctx,
          {
            activity: 'two_factor_disabled',
            status: 'succeeded',
            description: `Turned off two-factor authentication for ${user.email}.`,
            details: { method: passed === 'recovery' ? 'recovery_code' : 'totp' },
          },
          now,
        );
      });
      return { status: 204 };
    },

    async regenerateRecoveryCodes({ principal, body, ctx }) {
      const user = await caller(principal);
      if (user.totp_secret === null) throw conflict('Two-factor authentication is off; turn it on first.');
      const now = clock();
      const recoveryCodes = await db.transaction().execute(async (trx) => {
        if (!(await useCurrentTotp(trx, keys, user, body.code, now))) throw invalidCode();
        const codes = await replaceRecoveryCodes(trx, keys, user, now);
        await recordRequestAudit(
          trx,
          callerPrincipal(principal),
          ctx,
          {
            activity: 'recovery_codes_regenerated',
            status: 'succeeded',
            description: `Made ${String(recoveryCodeCount)} new recovery codes for ${user.email}; the old ones no longer work.`,
            details: { recoveryCodesIssued: codes.length },
          },
          now,
        );
        return codes;
      });
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { recoveryCodes } };
    },
  };
}
