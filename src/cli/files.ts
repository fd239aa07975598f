import * as fs from 'fs';
import * as path from 'path';

/**
 * The text of `file` (0: standard input), or an Error of one line naming it, what is wrong with it, and `expected`:
 * what the user meant to give (`name the Python file to run`).
 */
export function readText(file: string | 0, expected: string): string {
  try {
    return fs.readFileSync(file, 'utf-8');
  } catch (error) {
    throw new Error(`${unreadable(error, file === 0 ? 'standard input' : file)}: ${expected}`, { cause: error });
  }
}

/** Why `shown` could not be read, from a file system error, as the start of a line. */
export function unreadable(error: unknown, shown: string): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const where = path.isAbsolute(shown) || shown === 'standard input' ? '' : ` (in ${process.cwd()})`;
  switch (code) {
    case 'ENOENT':
      return `no file ${shown}${where}`;
    case 'ENOTDIR':
      return `no file ${shown}${where}: a folder on its path is a file`;
    case 'EISDIR':
      return `${shown} is a folder, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `${shown} cannot be read: permission denied`;
    default:
      return `${shown} cannot be read (${code ?? 'error'}): ${message}`;
  }
}
