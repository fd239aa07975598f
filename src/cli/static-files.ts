import * as fs from 'fs';
import * as path from 'path';
import { GatewayReply, LocalRequest } from './gateway-emulator';

/** A folder the distribution serves under `urlPath` from its bucket. */
export interface StaticFolder {
  /** Absolute. */
  readonly directory: string;
  /** `/static`: no trailing slash. */
  readonly urlPath: string;
}

// The types S3 records for the files of a web site, by extension (the deployment's `aws s3 sync` guesses them the same
// way); anything else is served as bytes.
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.html': 'text/html',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/vnd.microsoft.icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
};

/**
 * The reply to `request` when its path is under `folder.urlPath`, as the distribution's bucket behaviour answers it:
 * the file, 404 for one that is not there, 403 for a method other than GET or HEAD; undefined for the app's paths.
 * Locally nothing is cached, so an edited file shows on the next load.
 */
export function staticReply(folder: StaticFolder, request: LocalRequest): GatewayReply | undefined {
  if (!request.rawPath.startsWith(`${folder.urlPath}/`)) return undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return textReply(403, 'This distribution is not configured to allow the HTTP request method that was used for this request.');
  }
  let relative: string;
  try {
    relative = decodeURIComponent(request.rawPath.slice(folder.urlPath.length + 1));
  } catch {
    return textReply(404, 'Not Found');
  }
  const file = path.resolve(folder.directory, relative);
  // A key names a file inside the folder only: `..` and absolute paths find nothing, as in the bucket.
  if (!file.startsWith(`${folder.directory}${path.sep}`) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return textReply(404, 'Not Found');
  }
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  return { statusCode: 200, headers: [['Content-Type', type], ['Cache-Control', 'no-cache']], body: fs.readFileSync(file) };
}

function textReply(statusCode: number, message: string): GatewayReply {
  return { statusCode, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: Buffer.from(message) };
}
