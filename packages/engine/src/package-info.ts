// Compiled in from package.json by tsup (build) and vitest (tests): see scripts/build/package-build-config.ts.
declare const __HOLDFAST_PACKAGE_NAME__: string;
declare const __HOLDFAST_PACKAGE_VERSION__: string;

/** The npm name of this package. */
export const packageName: string = __HOLDFAST_PACKAGE_NAME__;

/** The version of this package, as published. */
export const packageVersion: string = __HOLDFAST_PACKAGE_VERSION__;
