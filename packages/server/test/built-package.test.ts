import { describeBuiltPackage } from '../../../scripts/testing/built-package.ts';

describeBuiltPackage(new URL('..', import.meta.url));
