/**
 * `@holdfast/storage-adapters/box`: Box for the Holdfast engine. {@link BoxSource} backs up the users of
 * a Box enterprise (or one user), with incremental walks from Box's event stream; {@link BoxRestoreTarget}
 * restores into a user's files; {@link BoxExportDestination} delivers exports to a Box folder. All three
 * share a {@link BoxConnection} (credentials, limits, retries). box-node-sdk (an optional peer
 * dependency) signs and requests tokens. See `docs/connectors/box.md`.
 *
 * @example
 * ```ts
 * import { BoxConnection, BoxSource } from '@holdfast/storage-adapters/box';
 *
 * const connection = new BoxConnection({ auth: { type: 'jwt', configFile: '/etc/holdfast/box_config.json' } });
 * const source = new BoxSource({ connection });
 * ```
 *
 * @packageDocumentation
 */
export {
  BoxConnection,
  connectionOf,
  type BoxAuthConfig,
  type BoxConnectionInput,
  type BoxConnectionOptions,
} from './box-connection.ts';
export {
  BoxAuth,
  defaultBoxBaseUrls,
  type BoxAuthOptions,
  type BoxAuthSubject,
  type BoxBaseUrls,
  type BoxGrantContext,
  type BoxTokenGrant,
  type BoxTokens,
  type TokenStore,
} from './box-auth.ts';
export {
  accessTokenGrant,
  clientCredentialsGrant,
  jwtGrant,
  oauthGrant,
  sdkAuthenticationGrant,
  type BoxClientCredentialsOptions,
  type BoxJwtConfigFile,
  type BoxJwtOptions,
  type BoxOAuthOptions,
} from './box-auth-grants.ts';
export { BoxOAuthFlow, type BoxAuthorizeUrlOptions } from './box-oauth.ts';
export { BoxSource, boxSourceCapabilities, type BoxSourceOptions, type BoxWalk } from './box-source.ts';
export {
  BoxRestoreTarget,
  boxRestoreTargetCapabilities,
  type BoxRestoreTargetOptions,
  type BoxWriteOptions,
} from './box-restore-target.ts';
export { BOX_MAX_FILE_SIZE, BoxExportDestination, type BoxExportDestinationOptions } from './box-export-destination.ts';
export { DEFAULT_CHUNKED_THRESHOLD, MIN_CHUNKED_SIZE } from './box-upload.ts';
export { BoxHttp, type BoxHttpOptions, type BoxRequest, type BoxRetryOptions } from './box-http.ts';
export { BoxLimiter, type BoxLimiterOptions } from './box-limiter.ts';
export { BoxApi, type BoxActor } from './box-api.ts';
export {
  boxError,
  boxErrorFacts,
  boxErrorTable,
  BoxHttpError,
  type BoxErrorClass,
  type BoxErrorFacts,
  type BoxErrorRule,
} from './box-errors.ts';
export {
  boxEventKinds,
  BoxChangeSet,
  type BoxChangeKind,
  type BoxChangeCounts,
  type TrackedItem,
} from './box-changes.ts';
export { decodeBoxCursor, encodeBoxCursor, type BoxCursor } from './box-cursor.ts';
export { BOX_HASH_ALGORITHM, boxItemId, parseBoxItemId, sourceItemOf } from './box-items.ts';
export type {
  BoxEvent,
  BoxEventsPage,
  BoxFile,
  BoxFolder,
  BoxFolderMini,
  BoxItem,
  BoxUser,
  BoxUserMini,
  BoxWebLink,
} from './box-types.ts';
