import * as fs from 'fs';
import * as path from 'path';
import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeStaticFilesFindings } from './nag';

/** The URL path static files are served under by default: Django's usual STATIC_URL, without its trailing slash. */
export const DEFAULT_STATIC_URL_PATH = '/static';

/** A fingerprinted file's name never names other content: browsers and CloudFront may keep it for a year. */
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Other files keep their name when their content changes. The deployment invalidates them on CloudFront, but a browser
 * keeps its copy for max-age: 5 minutes spares it a request per page view and bounds how long it shows an old one.
 */
const SHORT_CACHE_CONTROL = 'public, max-age=300';

/** A name with a hex hash segment before its extensions: `site.3f2a1b9c4d5e.css`, `app-3f2a1b9c.js`, `app.3f2a1b9c.js.map`. */
const FINGERPRINTED = /^.+[.-]([0-9a-f]{8,})(\.[A-Za-z0-9]+)+$/;

/** The bucket and the behaviour the distribution serves the files with. */
export interface StaticBucket {
  readonly bucket: s3.Bucket;
  /** The CloudFront path pattern of the files, `${urlPath}/*`. */
  readonly pathPattern: string;
  readonly behavior: cloudfront.BehaviorOptions;
}

/**
 * A private bucket that only the distribution reads, through origin access control, and the cached behaviour for
 * `urlPath`. Its objects' keys are their URL paths without the leading '/', so the origin needs no origin path.
 */
export function defineStaticBucket(scope: Construct, urlPath: string): StaticBucket {
  const bucket = new s3.Bucket(scope, 'StaticBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    // The bucket holds copies of a folder of the user's sources, nothing that exists only there, and CloudFormation
    // cannot delete a bucket that has objects: emptying it on deletion (one custom resource function per stack, shared
    // by every such bucket) is what lets deleting the stack delete the site.
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  // With s3:ListBucket, S3 answers a missing file 404 instead of 403; the cache policy forwards no query string, so
  // no visitor can list the bucket through CloudFront.
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax (Permissions)
  const origin = origins.S3BucketOrigin.withOriginAccessControl(bucket, {
    originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
  });
  // aws-cdk-lib warns that LIST on the default behaviour lets `/` list the bucket: this origin serves `${urlPath}/*`
  // alone, whose every request is a GET of one key, never of the bucket's listing.
  Annotations.of(scope).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
    'The static files bucket serves one path pattern, not the default behaviour');
  return {
    bucket,
    pathPattern: `${urlPath}/*`,
    behavior: {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      // The files share the pages' origin, so browsers send no CORS preflight for them.
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      compress: true,
    },
  };
}

/**
 * Uploads `directory` under `urlPath` in two deployments of the same asset, since a deployment sets one Cache-Control:
 * the fingerprinted files first, without pruning (pages rendered before a deployment still find their files), then
 * the others, pruning those gone from the folder and invalidating `urlPath` on the distribution.
 *
 * The deployments select files with `aws s3 sync` filters: Python fnmatch globs, which repeat nothing (hence one glob
 * per hash length found in the folder) and whose `*` crosses '/'.
 * https://docs.aws.amazon.com/cli/latest/reference/s3/index.html#use-of-exclude-and-include-filters
 *
 * Returns the fingerprinted files' deployment, when there are any, which the app's new version may wait for.
 */
export function deployStaticFiles(scope: Construct, bucket: s3.IBucket, distribution: cloudfront.IDistribution, directory: string,
  urlPath: string): s3deploy.BucketDeployment | undefined {
  // One asset for both deployments, whose bucket the cdk-nag acknowledgements name.
  const asset = new s3assets.Asset(scope, 'StaticFilesAsset', { path: directory });
  const sources = [s3deploy.Source.bucket(asset.bucket, asset.s3ObjectKey)];
  const destinationKeyPrefix = `${urlPath.slice(1)}/`;
  const globs = fingerprintGlobs(directory);
  let fingerprinted: s3deploy.BucketDeployment | undefined;
  if (globs.length > 0) {
    fingerprinted = new s3deploy.BucketDeployment(scope, 'FingerprintedStaticFiles', {
      sources,
      destinationBucket: bucket,
      destinationKeyPrefix,
      exclude: ['*'],
      include: globs,
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(IMMUTABLE_CACHE_CONTROL)],
    });
  }
  const others = new s3deploy.BucketDeployment(scope, 'StaticFiles', {
    sources,
    destinationBucket: bucket,
    destinationKeyPrefix,
    // Also keeps the pruning off fingerprinted files.
    exclude: globs.length > 0 ? globs : undefined,
    cacheControl: [s3deploy.CacheControl.fromString(SHORT_CACHE_CONTROL)],
    distribution,
    distributionPaths: [`${urlPath}/*`],
  });
  if (fingerprinted) others.node.addDependency(fingerprinted);
  // Both deployments run on one function per stack, shared with any other BucketDeployment of the stack.
  acknowledgeStaticFilesFindings(scope, others.handlerRole.node.scope!, [bucket, asset.bucket]);
  return fingerprinted;
}

/** An `aws s3 sync` glob per length of the hashes in the folder's fingerprinted names. */
function fingerprintGlobs(directory: string): string[] {
  const lengths = new Set<number>();
  for (const file of listFiles(directory)) {
    const match = FINGERPRINTED.exec(path.posix.basename(file));
    if (match) lengths.add(match[1].length);
  }
  return [...lengths].sort((a, b) => a - b).map(length => `*[.-]${'[0-9a-f]'.repeat(length)}.*`);
}

/** The files under `directory`, relative to it and '/'-separated. */
function listFiles(directory: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(directory, prefix), { withFileTypes: true }).flatMap(entry => {
    const relative = path.posix.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(directory, relative) : [relative];
  });
}
