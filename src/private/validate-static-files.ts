import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { propError } from '../shared/prop-error';
import { ApiType, WsgiApiStaticFilesOptions } from '../types';
import { DEFAULT_STATIC_URL_PATH } from './static-files';

// Characters a CloudFront path pattern takes literally (DownloadDistValuesPathPattern), without its wildcards * and ?.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern
const URL_PATH_SEGMENT = /^[A-Za-z0-9_.~@:+$'-]+$/;

/** What `staticFiles` resolves to: the folder as an absolute path, and the URL path. */
export interface StaticFiles {
  readonly directory: string;
  readonly urlPath: string;
}

/**
 * The `staticFiles` prop fits the front door, names a folder with files, and a URL path CloudFront can route: checked
 * at synth, since a deployment would upload nothing or serve the files where the app's pages do not look.
 */
export function validateStaticFiles(options: WsgiApiStaticFilesOptions, apiType: ApiType): StaticFiles {
  if (apiType === ApiType.ALB) {
    throw propError('staticFiles', 'are served by the CloudFront distribution, which fronts a REST API, HTTP API or function URL, not a load balancer',
      'set', 'use apiType REST, HTTP or FUNCTION_URL, or serve the files from your own distribution in front of the load balancer');
  }
  const urlPath = options.urlPath ?? DEFAULT_STATIC_URL_PATH;
  if (Token.isUnresolved(urlPath)) {
    throw propError('staticFiles.urlPath', 'must be known at synth: it makes the path pattern and the keys of the files', urlPath,
      "write it as a string, e.g. '/static'");
  }
  if (!urlPath.startsWith('/')) {
    throw propError('staticFiles.urlPath', "must start with '/'", urlPath, `use '/${urlPath.replace(/\/+$/, '')}'`);
  }
  if (urlPath === '/' || urlPath.endsWith('/')) {
    throw propError('staticFiles.urlPath', "must name a path below the site's root, without a trailing '/'", urlPath,
      urlPath === '/' ? "use e.g. '/static': the app answers every other path" : `use '${urlPath.replace(/\/+$/, '')}'`);
  }
  if (!urlPath.slice(1).split('/').every(segment => URL_PATH_SEGMENT.test(segment))) {
    throw propError('staticFiles.urlPath', "must be '/'-separated segments of letters, digits and _.~@:+$'-", urlPath,
      "use a plain path such as '/static' or '/assets/v1'");
  }

  const directory = path.resolve(options.directory);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw propError('staticFiles.directory', 'must be an existing folder', options.directory,
      `pass the folder of your static files, absolute or relative to ${process.cwd()} (resolved to ${directory}); build it before the synth`);
  }
  if (!hasFile(directory)) {
    throw propError('staticFiles.directory', 'must contain files to serve', options.directory,
      'collect or build them into it before the synth (e.g. manage.py collectstatic --noinput), or remove staticFiles');
  }
  // Symlinks resolved, as for `entry`: the asset then fingerprints the files, not the link.
  return { directory: fs.realpathSync(directory), urlPath };
}

/** Whether there is a file anywhere under `directory`. */
function hasFile(directory: string): boolean {
  return fs.readdirSync(directory, { withFileTypes: true })
    .some(entry => entry.isDirectory() ? hasFile(path.join(directory, entry.name)) : true);
}
