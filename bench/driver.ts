import * as fs from 'fs';
import * as path from 'path';

/** What the emulator benchmarks share around their measurements: writing the report, and cleaning up. */

/** Writes the Markdown `lines` to `file` and prints them, with where they went. */
export function writeReport(file: string, lines: string[]): void {
  const table = lines.join('\n');
  fs.writeFileSync(file, table);
  process.stdout.write(`${table}\nbench: written to ${path.relative(path.join(__dirname, '..'), file)}\n`);
}

/** Runs `main`, then removes `work` (every folder the run made) whether it succeeded or not. */
export function runDriver(main: () => Promise<void>, work: string): void {
  main().then(() => fs.rmSync(work, { recursive: true, force: true }), error => {
    fs.rmSync(work, { recursive: true, force: true });
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}
