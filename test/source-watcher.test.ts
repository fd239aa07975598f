import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { eventually } from './loopback';
import { SourceWatcher } from '../src/cli/source-watcher';

describe('SourceWatcher', () => {
  let root: string;
  let watcher: SourceWatcher;
  let bursts: string[][];

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-watch-'));
    fs.mkdirSync(path.join(root, 'pkg'));
    fs.mkdirSync(path.join(root, '.venv'));
    fs.mkdirSync(path.join(root, 'templates'));
    bursts = [];
    watcher = new SourceWatcher(root, files => bursts.push(files.sort()), () => undefined);
  });

  afterEach(() => {
    watcher.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('one report per burst of source and template changes, in subfolders too', async () => {
    fs.writeFileSync(path.join(root, 'api.py'), 'x = 1\n');
    fs.writeFileSync(path.join(root, 'pkg', 'views.py'), 'y = 2\n');
    fs.writeFileSync(path.join(root, 'templates', 'index.html'), '<p>hi</p>\n');
    await eventually(() => bursts.length > 0, 'a report');
    expect(bursts).toEqual([['api.py', path.join('pkg', 'views.py'), path.join('templates', 'index.html')]]);
  });

  test('data files, dot-files, editor swap files and virtualenvs do not reload', async () => {
    fs.writeFileSync(path.join(root, 'data.db'), 'rows');
    fs.writeFileSync(path.join(root, '.api.py.swp'), 'swap');
    fs.writeFileSync(path.join(root, '.venv', 'site.py'), 'z = 3\n');
    fs.writeFileSync(path.join(root, 'api.py'), 'x = 1\n'); // last: any file above that counted would join its burst
    await eventually(() => bursts.length > 0, 'a report');
    expect(bursts).toEqual([['api.py']]);
  });

  test('a folder copied in, and one removed, are changes; the new folder is watched from then on', async () => {
    const copied = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-pkg-'));
    fs.writeFileSync(path.join(copied, '__init__.py'), '');
    fs.renameSync(copied, path.join(root, 'newpkg'));
    await eventually(() => bursts.length === 1, 'the new folder');
    expect(bursts[0]).toEqual(['newpkg']);

    fs.writeFileSync(path.join(root, 'newpkg', 'models.py'), 'm = 1\n');
    await eventually(() => bursts.length === 2, 'a change in the new folder');
    expect(bursts[1]).toEqual([path.join('newpkg', 'models.py')]);

    fs.rmSync(path.join(root, 'pkg'), { recursive: true });
    await eventually(() => bursts.length === 3, 'the removed folder');
    expect(bursts[2]).toEqual(['pkg']);
  });
});
