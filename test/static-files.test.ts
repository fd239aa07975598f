import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FIXTURES, logicalId, synthWsgiApi, testStack } from './helpers';
import { ApiType, WsgiApiProps } from '../src';

const STATIC_SITE = path.join(FIXTURES, 'static-site');

// IDs of CloudFront's managed policies (using-managed-cache-policies.html).
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=300';

const folders: string[] = [];
afterAll(() => folders.forEach(folder => fs.rmSync(folder, { recursive: true, force: true })));

/** A folder holding `files` (relative paths), each with its own name as content. */
function folderOf(files: string[]): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-static-'));
  folders.push(directory);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    fs.writeFileSync(path.join(directory, file), file);
  }
  return directory;
}

/** The BucketDeployment custom resources, by construct ID (StaticFiles, FingerprintedStaticFiles). */
function deployments(template: Template, stack: Stack): Record<string, any> {
  const resources = template.findResources('Custom::CDKBucketDeployment');
  return Object.fromEntries(Object.entries(resources).map(([id, resource]) => {
    const construct = stack.node.findAll().find(c => c.node.id === 'CustomResource' && logicalId(c) === id)!;
    return [construct.node.scope!.node.id, { id, ...resource }];
  }));
}

/**
 * The Cache-Control each file of `files` gets: the deployments' filters applied as `aws s3 sync` applies them
 * (awscli/customizations/s3/filters.py: a file is included until a filter matches it, the last match decides, each
 * pattern a Python fnmatch glob joined to the synced folder), with the handler's order: every --exclude, then every
 * --include. A file two deployments carry, or none, fails the test.
 */
function cacheControlOf(files: string[], resources: Record<string, any>): Record<string, string> {
  const filters = Object.values(resources).map(r => ({
    cacheControl: r.Properties.SystemMetadata['cache-control'],
    filters: [...(r.Properties.Exclude ?? []).map((p: string) => ['exclude', p]), ...(r.Properties.Include ?? []).map((p: string) => ['include', p])],
  }));
  const script = `
import fnmatch, json, os, sys
files, deployments = json.load(sys.stdin)
root = '/tmp/workdir/contents'
def carries(deployment, file):
    included = True
    for kind, pattern in deployment['filters']:
        if fnmatch.fnmatch(os.path.join(root, file), os.path.join(root, pattern)):
            included = kind == 'include'
    return included
print(json.dumps({f: [d['cacheControl'] for d in deployments if carries(d, f)] for f in files}))
`;
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify([files, filters]), encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const carried: Record<string, string[]> = JSON.parse(run.stdout);
  for (const [file, headers] of Object.entries(carried)) {
    expect([file, headers.length]).toEqual([file, 1]);
  }
  return Object.fromEntries(Object.entries(carried).map(([file, [header]]) => [file, header]));
}

/** The files of the asset both deployments unpack, as the synth staged it. */
function stagedFiles(stack: Stack, resources: Record<string, any>): string[] {
  const [key] = new Set(Object.values(resources).map(r => r.Properties.SourceObjectKeys[0]));
  const staged = path.join(Stage.of(stack)!.outdir, `asset.${key.replace(/\.zip$/, '')}`);
  const walk = (prefix: string): string[] => fs.readdirSync(path.join(staged, prefix), { withFileTypes: true })
    .flatMap(e => e.isDirectory() ? walk(path.posix.join(prefix, e.name)) : [path.posix.join(prefix, e.name)]);
  return walk('').sort();
}

function synthStatic(overrides: Partial<WsgiApiProps> = {}, stack = testStack()) {
  return synthWsgiApi({ staticFiles: { directory: STATIC_SITE }, ...overrides }, stack);
}

describe('staticFiles: a folder the distribution serves from a private S3 bucket', () => {
  test('implies the distribution: the app behind it by default, the files under /static from the bucket, through origin access control', () => {
    const { api, template, stack } = synthStatic();
    expect(api.distribution).toBeInstanceOf(cloudfront.Distribution);
    expect(api.staticBucket).toBeInstanceOf(s3.Bucket);
    expect(stack.resolve(api.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(api.distribution!), 'DomainName'] }, '/']] });
    // Nothing for the user to acknowledge.
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);

    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({ CachePolicyId: CACHING_DISABLED, FunctionAssociations: [expect.anything()] });
    const [behavior] = config.CacheBehaviors;
    // No function and no origin request policy: the S3 origin gets none of the app's forwarded headers.
    expect(behavior).toEqual({
      PathPattern: '/static/*',
      TargetOriginId: expect.any(String),
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: CACHING_OPTIMIZED,
      Compress: true,
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    const origin = config.Origins.find((o: any) => o.Id === behavior.TargetOriginId);
    expect(origin).toEqual({
      Id: behavior.TargetOriginId,
      DomainName: { 'Fn::GetAtt': [logicalId(api.staticBucket!), 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    expect(config.CacheBehaviors).toHaveLength(1);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });

    // Only this distribution may read, and list (a missing file is then a 404, not a 403).
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(api.staticBucket!) },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['s3:GetObject', 's3:ListBucket'],
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Condition: { StringEquals: { 'AWS:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(api.distribution!) }])] }) } },
        })]),
      },
    });
  });

  test('the bucket is private, TLS only, S3-encrypted, no website, and emptied and deleted with the stack', () => {
    const { api, template } = synthStatic();
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        WebsiteConfiguration: Match.absent(),
      },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:*', Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: logicalId(api.staticBucket!) } });
  });

  test('a request for /static/css/site.css reads the key static/css/site.css: the files are uploaded under the path, no origin path', () => {
    const { template, stack } = synthStatic();
    const found = deployments(template, stack);
    expect(Object.keys(found).sort()).toEqual(['FingerprintedStaticFiles', 'StaticFiles']);
    for (const deployment of Object.values(found)) {
      expect(deployment.Properties.DestinationBucketKeyPrefix).toBe('static/');
    }
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const s3Origin = distribution.Properties.DistributionConfig.Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginPath).toBeUndefined();
    // CloudFront asks the origin for the viewer's path after the origin path: '/static/css/site.css', key 'static/css/site.css'.
    const key = (requestPath: string) => `${s3Origin.OriginPath ?? ''}${requestPath}`.slice(1);
    expect(key('/static/css/site.css')).toBe(`${found.StaticFiles.Properties.DestinationBucketKeyPrefix}css/site.css`);
  });

  test('a urlPath of several segments is the path pattern, the key prefix and the invalidated path', () => {
    const { template, stack } = synthStatic({ staticFiles: { directory: STATIC_SITE, urlPath: '/assets/v1' } });
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    expect(distribution.Properties.DistributionConfig.CacheBehaviors[0].PathPattern).toBe('/assets/v1/*');
    const found = deployments(template, stack);
    expect(found.StaticFiles.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'assets/v1/', DistributionPaths: ['/assets/v1/*'] });
    expect(found.FingerprintedStaticFiles.Properties.DestinationBucketKeyPrefix).toBe('assets/v1/');
  });

  test('each staged file gets one Cache-Control: fingerprinted files a year and immutable, the others 5 minutes', () => {
    const { template, stack } = synthStatic();
    const found = deployments(template, stack);
    // Both deployments unpack the same asset.
    expect(found.StaticFiles.Properties.SourceObjectKeys).toEqual(found.FingerprintedStaticFiles.Properties.SourceObjectKeys);
    expect(found.FingerprintedStaticFiles.Properties.SystemMetadata).toEqual({ 'cache-control': IMMUTABLE });
    expect(found.StaticFiles.Properties.SystemMetadata).toEqual({ 'cache-control': SHORT });

    const files = stagedFiles(stack, found);
    expect(files).toEqual(['css/site.3f2a1b9c4d5e.css', 'css/site.css', 'js/app-3f2a1b9c.js', 'robots.txt']);
    expect(cacheControlOf(files, found)).toEqual({
      'css/site.3f2a1b9c4d5e.css': IMMUTABLE,
      'css/site.css': SHORT,
      'js/app-3f2a1b9c.js': IMMUTABLE,
      'robots.txt': SHORT,
    });
  });

  test('a fingerprint is a lowercase hex hash of 8 or more characters before the extensions; lookalikes get the short Cache-Control', () => {
    const files = [
      'admin/js/vendor/jquery/jquery-3.7.1.min.js',
      'css/site.3F2A1B9C.css',
      'dist/chunk-3f2a1b9cde.js',
      'img/logo.abcdefgh.png',
      'js/app.3f2a1b9c.js.map',
      'js/app.3f2a1b9c',
      'js/short.3f2a1b9.js',
      'site.3f2a1b9c4d5e.css',
    ];
    const { template, stack } = synthStatic({ staticFiles: { directory: folderOf(files) } });
    expect(cacheControlOf(files, deployments(template, stack))).toEqual({
      'admin/js/vendor/jquery/jquery-3.7.1.min.js': SHORT,
      'css/site.3F2A1B9C.css': SHORT,
      'dist/chunk-3f2a1b9cde.js': IMMUTABLE,
      'img/logo.abcdefgh.png': SHORT,
      'js/app.3f2a1b9c.js.map': IMMUTABLE,
      'js/app.3f2a1b9c': SHORT,
      'js/short.3f2a1b9.js': SHORT,
      'site.3f2a1b9c4d5e.css': IMMUTABLE,
    });
  });

  test('fingerprinted files go first and stay; then the others, pruned, and one invalidation; live waits for the fingerprinted files', () => {
    const { api, template, stack } = synthStatic();
    const found = deployments(template, stack);
    expect(found.FingerprintedStaticFiles.Properties).toMatchObject({ Prune: false, Exclude: ['*'] });
    expect(found.FingerprintedStaticFiles.Properties.DistributionId).toBeUndefined();
    expect(found.StaticFiles.Properties).toMatchObject({
      Prune: true,
      Exclude: found.FingerprintedStaticFiles.Properties.Include,
      DistributionId: { Ref: logicalId(api.distribution!) },
      DistributionPaths: ['/static/*'],
    });
    expect(found.StaticFiles.Properties.Include).toBeUndefined();
    expect(found.StaticFiles.DependsOn).toContain(found.FingerprintedStaticFiles.id);
    expect(template.toJSON().Resources[logicalId(api.alias)].DependsOn).toContain(found.FingerprintedStaticFiles.id);
  });

  test('a folder without fingerprinted files is one deployment, of every file', () => {
    const { template, stack } = synthStatic({ staticFiles: { directory: folderOf(['robots.txt', 'css/site.css']) } });
    const found = deployments(template, stack);
    expect(Object.keys(found)).toEqual(['StaticFiles']);
    expect(found.StaticFiles.Properties.Exclude).toBeUndefined();
    expect(cacheControlOf(['robots.txt', 'css/site.css'], found)).toEqual({ 'robots.txt': SHORT, 'css/site.css': SHORT });
  });

  test.each([ApiType.HTTP, ApiType.FUNCTION_URL])('%s: the distribution of the user\'s options serves the files too', apiType => {
    const { template } = synthStatic({ apiType, distribution: { priceClass: cloudfront.PriceClass.PRICE_CLASS_100 } });
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { PriceClass: 'PriceClass_100', CacheBehaviors: [Match.objectLike({ PathPattern: '/static/*' })], Origins: Match.arrayWith([Match.objectLike({ S3OriginConfig: Match.anyValue() })]) },
    });
  });

  test('a relative directory resolves against the working directory, as entry does', () => {
    const absolute = synthStatic();
    const cwd = process.cwd();
    process.chdir(FIXTURES);
    try {
      const relative = synthStatic({ staticFiles: { directory: 'static-site' } });
      const keys = (r: typeof absolute) => Object.values(deployments(r.template, r.stack)).map(d => d.Properties.SourceObjectKeys);
      expect(keys(relative)).toEqual(keys(absolute));
    } finally {
      process.chdir(cwd);
    }
  });

  test('props that do not fit fail the synth naming the prop, the value and the fix', () => {
    const attempt = (staticFiles: WsgiApiProps['staticFiles'], overrides: Partial<WsgiApiProps> = {}) => () => synthWsgiApi({ staticFiles, ...overrides });
    const missing = path.join(FIXTURES, 'no-such-folder');
    expect(attempt({ directory: missing })).toThrow(new RegExp(
      `^staticFiles.directory must be an existing folder, got '${missing}'; pass the folder of your static files, absolute or relative to `));
    expect(attempt({ directory: path.join(STATIC_SITE, 'robots.txt') })).toThrow(/^staticFiles.directory must be an existing folder/);
    const empty = folderOf([]);
    fs.mkdirSync(path.join(empty, 'css'));
    expect(attempt({ directory: empty })).toThrow(
      `staticFiles.directory must contain files to serve, got '${empty}'; collect or build them into it before the synth `
      + '(e.g. manage.py collectstatic --noinput), or remove staticFiles');
    expect(attempt({ directory: STATIC_SITE, urlPath: 'static' })).toThrow("staticFiles.urlPath must start with '/', got 'static'; use '/static'");
    expect(attempt({ directory: STATIC_SITE, urlPath: '/' })).toThrow(
      "staticFiles.urlPath must name a path below the site's root, without a trailing '/', got '/'; use e.g. '/static': the app answers every other path");
    expect(attempt({ directory: STATIC_SITE, urlPath: '/static/' })).toThrow(
      "staticFiles.urlPath must name a path below the site's root, without a trailing '/', got '/static/'; use '/static'");
    expect(attempt({ directory: STATIC_SITE, urlPath: '/st*tic' })).toThrow(/^staticFiles.urlPath must be '\/'-separated segments/);
    expect(attempt({ directory: STATIC_SITE, urlPath: '/a//b' })).toThrow(/^staticFiles.urlPath must be '\/'-separated segments/);
    expect(attempt({ directory: STATIC_SITE }, { apiType: ApiType.ALB })).toThrow(
      /^staticFiles are served by the CloudFront distribution, which fronts a REST API, HTTP API or function URL, not a load balancer, got 'set'/);
  });
});
