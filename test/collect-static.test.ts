import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FIXTURES, testStack } from './helpers';
import { StaticFiles, WsgiApi, WsgiApiProps } from '../src';

// collectstatic runs in the project's interpreter: this repo's .venv, which has Django.
jest.setTimeout(60_000);

const DJANGO_PROJECT = path.join(FIXTURES, 'django-static');
const MODULE = 'mysite.wsgi.application';

const folders: string[] = [];
afterAll(() => folders.forEach(folder => fs.rmSync(folder, { recursive: true, force: true })));

/** A copy of the Django project: collectstatic writes the manifest into the app's folder. */
function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-django-static-'));
  folders.push(dir);
  fs.cpSync(DJANGO_PROJECT, dir, { recursive: true });
  return dir;
}

/** A WsgiApi with StaticFiles.django() on `entry`, its template, and the folder the assembly collected into. */
function synthDjango(entry: string, overrides: Partial<WsgiApiProps> = {}) {
  const stack = testStack();
  const api = new WsgiApi(stack, 'Site', { entry, module: MODULE, staticFiles: StaticFiles.django(), ...overrides });
  const template = Template.fromStack(stack);
  const collected = path.join(Stage.of(stack)!.outdir, 'cdk-wsgi-static', api.node.addr);
  return { stack, api, template, collected };
}

function filesOf(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap(e => e.isDirectory() ? filesOf(dir, path.posix.join(prefix, e.name)) : [path.posix.join(prefix, e.name)]).sort();
}

/** The S3 key of the function's code: a new one is a new version of the app. */
function codeKey(template: Template): string {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'cdk_wsgi_adapter.handler' } }));
  return fn.Properties.Code.S3Key;
}

describe('StaticFiles.django(): collectstatic at synth with the app\'s settings', () => {
  test('collects the admin\'s and the app\'s files, hashed, into the assembly; the manifest goes where the app reads it', () => {
    const entry = projectCopy();
    const { template, collected } = synthDjango(entry);

    const files = filesOf(collected);
    const hashedCss = files.filter(f => /^admin\/css\/base\.[0-9a-f]+\.css$/.test(f));
    expect(hashedCss).toHaveLength(1);
    expect(files).toEqual(expect.arrayContaining(['admin/css/base.css', 'shop/site.css', 'shop/img/logo.svg']));
    // Visitors get no copy of the manifest.
    expect(files).not.toContain('staticfiles.json');

    const manifestText = fs.readFileSync(path.join(entry, 'staticfiles', 'staticfiles.json'), 'utf-8');
    const manifest = JSON.parse(manifestText);
    const hashedSite = manifest.paths['shop/site.css'];
    expect(hashedSite).toMatch(/^shop\/site\.[0-9a-f]{12}\.css$/);
    // The hashed CSS names the hashed image, as the pages will.
    expect(manifest.paths['shop/img/logo.svg']).toMatch(/^shop\/img\/logo\.[0-9a-f]{12}\.svg$/);
    expect(fs.readFileSync(path.join(collected, hashedSite), 'utf-8')).toContain(`url("${manifest.paths['shop/img/logo.svg'].slice('shop/'.length)}")`);
    expect(Object.keys(manifest.paths)).toEqual([...Object.keys(manifest.paths)].sort());
    expect(manifest.paths['admin/css/base.css']).toBe(hashedCss[0]);

    // Served under STATIC_URL, hashed files for a year.
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { CacheBehaviors: [Match.objectLike({ PathPattern: '/static/*' })] },
    });
    template.resourcePropertiesCountIs('Custom::CDKBucketDeployment', {
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      Include: ['*[.-][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].*'],
    }, 1);
    // No bytecode or other leftovers in the app's folder: only the manifest is new.
    expect(filesOf(entry).filter(f => !filesOf(DJANGO_PROJECT).includes(f))).toEqual(['staticfiles/staticfiles.json']);
  });

  test('as the CDK CLI runs it: a relative outdir and entry, and ./.venv\'s Python', () => {
    const work = projectCopy();
    fs.cpSync(DJANGO_PROJECT, path.join(work, 'app'), { recursive: true });
    // The project's virtualenv, which has Django, where a user keeps it.
    fs.symlinkSync(path.join(__dirname, '..', '.venv'), path.join(work, '.venv'));
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const app = new App({ outdir: 'cdk.out', context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Site');
      const api = new WsgiApi(stack, 'Site', { entry: './app', module: MODULE, staticFiles: StaticFiles.django() });
      app.synth();
      expect(filesOf(path.join(work, 'cdk.out', 'cdk-wsgi-static', api.node.addr))).toContain('shop/site.css');
      expect(fs.existsSync(path.join(work, 'app', 'cdk.out'))).toBe(false);
      expect(fs.existsSync(path.join(work, 'app', 'staticfiles', 'staticfiles.json'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  test('the same sources give the same manifest and the same function; a changed file gives a new version', () => {
    const entry = projectCopy();
    const first = synthDjango(entry);
    const manifest = fs.readFileSync(path.join(entry, 'staticfiles', 'staticfiles.json'));
    const again = synthDjango(entry);
    expect(fs.readFileSync(path.join(entry, 'staticfiles', 'staticfiles.json'))).toEqual(manifest);
    expect(codeKey(again.template)).toBe(codeKey(first.template));

    fs.appendFileSync(path.join(entry, 'shop', 'static', 'shop', 'site.css'), 'p { color: teal; }\n');
    const changed = synthDjango(entry);
    expect(fs.readFileSync(path.join(entry, 'staticfiles', 'staticfiles.json'))).not.toEqual(manifest);
    // The function ships the manifest naming the new file, so `live` moves to a version whose pages link it.
    expect(codeKey(changed.template)).not.toBe(codeKey(first.template));
  });

  test('the function\'s environment reaches the settings: STATIC_URL makes the path; plain storage ships no manifest', () => {
    const entry = projectCopy();
    const { template, collected } = synthDjango(entry, {
      environment: {
        FIXTURE_STATIC_URL: '/assets/v1/',
        FIXTURE_STATIC_STORAGE: 'django.contrib.staticfiles.storage.StaticFilesStorage',
      },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { CacheBehaviors: [Match.objectLike({ PathPattern: '/assets/v1/*' })] },
    });
    expect(filesOf(collected)).toContain('shop/site.css');
    expect(filesOf(collected).some(f => /\.[0-9a-f]{12}\./.test(f))).toBe(false);
    expect(fs.existsSync(path.join(entry, 'staticfiles'))).toBe(false);
  });

  test('files a user collected into STATIC_ROOT before are named in a warning: the function\'s bundle would carry them', () => {
    const entry = projectCopy();
    fs.mkdirSync(path.join(entry, 'staticfiles', 'admin'), { recursive: true });
    fs.writeFileSync(path.join(entry, 'staticfiles', 'admin', 'old.css'), 'old');
    const { stack } = synthDjango(entry);
    Annotations.fromStack(stack).hasWarning('/TestStack/Site', Match.stringLikeRegexp(
      "^The app's STATIC_ROOT holds 1 files besides the manifest \\(staticfiles/admin/old.css\\), which the function's bundle carries"));
  });

  test('a failing collectstatic fails the synth with its own output, and leaves nothing to upload', () => {
    const entry = projectCopy();
    fs.writeFileSync(path.join(entry, 'shop', 'static', 'shop', 'site.css'), 'body { background: url("img/missing.png"); }\n');
    const stack = testStack();
    expect(() => new WsgiApi(stack, 'Site', { entry, module: MODULE, staticFiles: StaticFiles.django() })).toThrow(new RegExp(
      '^staticFiles.django runs collectstatic, which failed, got \'exit status 1\'; fix what it reported, then synth again \\(.*\\):\n'
      + '(.|\n)*  \\| ValueError: The file \'shop/img/missing.png\' could not be found'));
    // The synth stopped before any asset of the files existed.
    expect(stack.node.tryFindChild('Site')?.node.tryFindChild('StaticFilesAsset')).toBeUndefined();
  });

  test('settings the distribution cannot serve fail the synth naming the setting and the fix', () => {
    const attempt = (overrides: Partial<WsgiApiProps>, entry = projectCopy()) => () => synthDjango(entry, overrides);
    expect(attempt({ environment: { FIXTURE_STATIC_URL: 'https://cdn.example.com/static/' } })).toThrow(
      "staticFiles.django needs settings whose static files the distribution can serve, got 'mysite.wsgi'; STATIC_URL is "
      + "'https://cdn.example.com/static/': the distribution serves the files under a path of the site, so set STATIC_URL = '/static/'");
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-outside-'));
    folders.push(outside);
    expect(attempt({ environment: { FIXTURE_STATIC_ROOT: outside } })).toThrow(new RegExp(
      `the storage reads its manifest from ${outside}/staticfiles.json, outside the app's folder .*, where the function cannot read it: `
      + "set STATIC_ROOT inside it, e.g. BASE_DIR / 'staticfiles'$"));
    expect(attempt({ environment: { FIXTURE_STATIC_URL: '/my static/' } })).toThrow(
      "the app's STATIC_URL must be '/'-separated segments of letters, digits and _.~@:+$'-, got '/my static'");
    expect(attempt({ staticFiles: { django: {}, urlPath: '/assets' } })).toThrow(
      "staticFiles.urlPath must be the app's STATIC_URL without its trailing '/', where its pages link the files, got '/assets'; "
      + "remove urlPath (the app's STATIC_URL is '/static/') or change STATIC_URL");
    expect(attempt({ staticFiles: { django: {}, directory: 'static' } })).toThrow(
      "staticFiles takes either directory or django, got 'both'; name the folder of your files ({ directory: './static' }), "
      + "or collect Django's with StaticFiles.django()");
    expect(attempt({ staticFiles: {} })).toThrow(/^staticFiles takes either directory or django, got 'neither'/);
  });

  test('a module that sets no DJANGO_SETTINGS_MODULE needs settingsModule', () => {
    const entry = projectCopy();
    fs.writeFileSync(path.join(entry, 'mysite', 'bare.py'), 'def application(environ, start_response):\n    return []\n');
    expect(() => synthDjango(entry, { module: 'mysite.bare.application' })).toThrow(
      "importing mysite.bare did not set DJANGO_SETTINGS_MODULE: pass StaticFiles.django({ settingsModule: 'mysite.settings' })");
    const { collected } = synthDjango(entry, { module: 'mysite.bare.application', staticFiles: StaticFiles.django({ settingsModule: 'mysite.settings' }) });
    expect(filesOf(collected)).toContain('shop/site.css');
  });

  test('an interpreter without Django is named, with the fix', () => {
    // python3 without its site-packages, where Django would be.
    const python = path.join(projectCopy(), 'python-without-site');
    fs.writeFileSync(python, '#!/bin/sh\nexec python3 -S "$@"\n', { mode: 0o755 });
    const previous = process.env.CDK_WSGI_PYTHON;
    process.env.CDK_WSGI_PYTHON = python;
    try {
      expect(() => synthDjango(projectCopy())).toThrow(
        `staticFiles.django runs collectstatic in the app's interpreter, which cannot import django, got '${python}'; `
        + "install the app's requirements into it (pip install -r requirements.txt), or point CDK_WSGI_PYTHON at the interpreter that has them");
    } finally {
      if (previous === undefined) delete process.env.CDK_WSGI_PYTHON; else process.env.CDK_WSGI_PYTHON = previous;
    }
  });
});
