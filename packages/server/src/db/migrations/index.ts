/**
 * Every migration, in order, imported statically so the bundled server carries them (no directory scan
 * at run time). Names sort in the order they apply: `NNNN-what`. Add new ones at the end; never rename,
 * edit or remove a released one.
 */
import type { Migration } from 'kysely/migration';
import * as initial from './0001-initial.ts';
import * as secondFactor from './0002-second-factor.ts';
import * as securityTrail from './0003-security-trail.ts';

export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-second-factor': secondFactor,
  '0003-security-trail': securityTrail,
};
