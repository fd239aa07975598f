import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { APP_ENTRY, FIXTURES } from './helpers';
import { resolveAppSource } from '../src/shared/app-source';

describe('resolveAppSource', () => {
  test.each([
    ['api.app', 'api', 'app'],
    ['api:app', 'api', 'app'],
    ['api:app.wsgi_app', 'api', 'app.wsgi_app'],
  ])('reads %s as module %s, attribute %s', (spec, moduleName, attribute) => {
    expect(resolveAppSource(APP_ENTRY, spec)).toEqual({ entry: fs.realpathSync(APP_ENTRY), moduleName, attribute, moduleFile: 'api.py' });
  });

  test('finds the file of a module in a package', () => {
    expect(resolveAppSource(path.join(FIXTURES, 'django-app'), 'mysite.wsgi.application'))
      .toMatchObject({ moduleName: 'mysite.wsgi', attribute: 'application', moduleFile: 'mysite/wsgi.py' });
  });

  test('takes a lock file for the dependency file, and resolves a relative, symlinked entry to the real folder', () => {
    // GIVEN an app with a poetry.lock only, reached through a symlink
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-app-source-'));
    try {
      const app = path.join(dir, 'app');
      fs.mkdirSync(app);
      fs.writeFileSync(path.join(app, 'poetry.lock'), '');
      fs.writeFileSync(path.join(app, 'api.py'), 'app = None\n');
      fs.symlinkSync(app, path.join(dir, 'link'));

      // WHEN
      const source = resolveAppSource(path.relative(process.cwd(), path.join(dir, 'link')), 'api.app');

      // THEN
      expect(source.entry).toBe(fs.realpathSync(app));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
