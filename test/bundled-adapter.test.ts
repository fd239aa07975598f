import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { APP_ENTRY, synthWsgiApi } from './helpers';

/** A copy of the fixture app whose requirements.txt is `requirements`. */
function appWith(requirements: string): string {
  const entry = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-wsgi-requirements-'));
  fs.cpSync(APP_ENTRY, entry, { recursive: true });
  fs.writeFileSync(path.join(entry, 'requirements.txt'), requirements);
  return entry;
}

function warnings(requirements: string) {
  const { stack } = synthWsgiApi({ entry: appWith(requirements) });
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('lists cdk-wsgi-adapter'));
}

describe('cdk-wsgi-adapter in the function\'s requirements.txt', () => {
  test.each(['cdk-wsgi-adapter==1.4.0', 'Flask==3.1.3\nCDK_WSGI.Adapter>=1', 'cdk-wsgi-adapter', 'cdk-wsgi-adapter ; python_version >= "3.11"'])(
    '%j: a warning naming the file and where it belongs', requirements => {
      const [warning] = warnings(requirements);
      expect(warning.entry.data).toMatch(/requirements\.txt lists cdk-wsgi-adapter, which the function's bundle would then carry in place of the adapter layer .*; list it with your development requirements instead/);
    });

  test.each(['Flask==3.1.3', '# cdk-wsgi-adapter==1.4.0 is for tests', 'cdk-wsgi-adapters==1.0', 'my-cdk-wsgi-adapter==1.0'])(
    '%j: no warning', requirements => {
      expect(warnings(requirements)).toEqual([]);
    });
});
