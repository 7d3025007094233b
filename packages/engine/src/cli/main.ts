#!/usr/bin/env node
// The `holdfast` command line: being built (issue 3).
process.stderr.write('holdfast: not built yet\n');
process.exitCode = 1;
