import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError } from '../shared/prop-error';
import { ApiType, WsgiApiStaticFilesOptions } from '../types';
import { collectDjangoStatic, DjangoApp } from './collect-static';
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
 * The `staticFiles` prop fits the front door, names a folder with files (or collects Django's into one), and a URL
 * path CloudFront can route: checked at synth, since a deployment would upload nothing or serve the files where the
 * app's pages do not look.
 */
export function resolveStaticFiles(scope: Construct, options: WsgiApiStaticFilesOptions, apiType: ApiType, app: DjangoApp): StaticFiles {
  if (apiType === ApiType.ALB) {
    throw propError('staticFiles', 'are served by the CloudFront distribution, which fronts a REST API, HTTP API or function URL, not a load balancer',
      'set', 'use apiType REST, HTTP or FUNCTION_URL, or serve the files from your own distribution in front of the load balancer');
  }
  if ((options.directory === undefined) === (options.django === undefined)) {
    throw propError('staticFiles', 'takes either directory or django', options.directory === undefined ? 'neither' : 'both',
      "name the folder of your files ({ directory: './static' }), or collect Django's with StaticFiles.django()");
  }
  if (options.django) {
    const collected = collectDjangoStatic(scope, app, options.django);
    // STATIC_URL is a path here (the script refuses others), '/static/' in most apps.
    const staticPath = collected.staticUrl.replace(/\/+$/, '');
    if (options.urlPath !== undefined && options.urlPath !== staticPath) {
      throw propError('staticFiles.urlPath', "must be the app's STATIC_URL without its trailing '/', where its pages link the files",
        options.urlPath, `remove urlPath (the app's STATIC_URL is '${collected.staticUrl}') or change STATIC_URL`);
    }
    return checked({ directory: collected.directory, urlPath: staticPath || '/' }, true);
  }
  return checked({ directory: options.directory!, urlPath: options.urlPath ?? DEFAULT_STATIC_URL_PATH }, false);
}

/** `urlPath` can be routed, and the folder has files; `collected` when Django's STATIC_URL and collectstatic gave them. */
function checked(options: StaticFiles, collected: boolean): StaticFiles {
  const urlPath = options.urlPath;
  const urlPathProp = collected ? "the app's STATIC_URL" : 'staticFiles.urlPath';
  if (Token.isUnresolved(urlPath)) {
    throw propError(urlPathProp, 'must be known at synth: it makes the path pattern and the keys of the files', urlPath,
      "write it as a string, e.g. '/static'");
  }
  if (!urlPath.startsWith('/')) {
    throw propError(urlPathProp, "must start with '/'", urlPath, `use '/${urlPath.replace(/\/+$/, '')}'`);
  }
  if (urlPath === '/' || urlPath.endsWith('/')) {
    throw propError(urlPathProp, "must name a path below the site's root, without a trailing '/'", urlPath,
      urlPath === '/' ? "use e.g. '/static': the app answers every other path" : `use '${urlPath.replace(/\/+$/, '')}'`);
  }
  if (!urlPath.slice(1).split('/').every(segment => URL_PATH_SEGMENT.test(segment))) {
    throw propError(urlPathProp, "must be '/'-separated segments of letters, digits and _.~@:+$'-", urlPath,
      "use a plain path such as '/static' or '/assets/v1'");
  }

  const directory = path.resolve(options.directory);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw propError('staticFiles.directory', 'must be an existing folder', options.directory,
      `pass the folder of your static files, absolute or relative to ${process.cwd()} (resolved to ${directory}); build it before the synth`);
  }
  if (collected && !hasFile(directory)) {
    throw propError('staticFiles.django', 'found no static files: collectstatic gathered nothing', options.urlPath,
      "put the files in an app's static/ folder or in STATICFILES_DIRS, or remove staticFiles");
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
