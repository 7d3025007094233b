/**
 * Walks a folder with FsSource and prints a summary of the entries as JSON. The fs source tests run it
 * as an unprivileged user (uid 65534) when they run as root, since root reads files whatever their mode.
 *
 * Usage: node fs-source-walk-cli.ts <root>
 */
import { summarizeWalk } from './fs-source-summary.ts';

process.stdout.write(JSON.stringify(await summarizeWalk(process.argv[2] ?? '.')));
