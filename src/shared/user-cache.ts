import * as os from 'os';
import * as path from 'path';

/**
 * cdk-wsgi's folder in the user's cache, for what it fetches once and reuses offline (an interpreter to compile
 * bytecode with): CDK_WSGI_CACHE_DIR, else the platform's user cache (XDG_CACHE_HOME or ~/.cache on Linux,
 * ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows). Nothing in it is needed: deleting it costs a fetch.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CDK_WSGI_CACHE_DIR) {
    return path.resolve(env.CDK_WSGI_CACHE_DIR);
  }
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Caches', 'cdk-wsgi');
    case 'win32':
      return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'cdk-wsgi', 'Cache');
    default:
      return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'cdk-wsgi');
  }
}
