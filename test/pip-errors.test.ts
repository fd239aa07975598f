import { buildFailedMessage, pipFailedMessage, stripAnsi } from '../src/private/pip-errors';

describe('pip errors', () => {
  const target = { machine: 'aarch64', pythonVersion: '3.13', platforms: ['manylinux_2_34_aarch64'] };

  test('a build that stops at a native toolchain step is native even when the project has no wheel elsewhere', () => {
    // what psycopg2's build prints without pg_config, as pip frames it
    const output = '  ╰─> [4 lines of output]\n      running egg_info\n      \n      Error: pg_config executable not found.\n' +
      '          python setup.py build_ext --pg-config /path/to/pg_config build ...\n      [end of output]\n';
    expect(buildFailedMessage('psycopg2==2.9.10', { wheelsFor: [] }, output, target, '')).toContain(
      'psycopg2==2.9.10 has only an sdist to install from, and it builds native code (its build here said "Error: pg_config executable not found.")');
  });

  test("falls back to quoting pip's own ERROR lines, without escape codes or index passwords", () => {
    const output = 'Looking in indexes: https://me:s3cret@pypi.example.com/simple\n' +
      '\x1b[31mERROR: Cannot install a==1 and b==2 because these package versions have conflicting dependencies.\x1b[0m\n';
    const message = pipFailedMessage('pip install', output, { machine: 'aarch64', pythonVersion: '3.13', platforms: [] });
    expect(message).toMatch(/^cdk-wsgi local bundling for linux\/aarch64 CPython 3\.13: pip install failed: pip: "ERROR: Cannot install a==1 and b==2 because/);
    expect(message).not.toContain('\x1b');
    expect(message).toContain('https://me:****@pypi.example.com/simple');
    expect(stripAnsi('\x1b[1merror\x1b[0m: \x1b]8;;https://x\x07link\x1b]8;;\x07')).toBe('error: link');
  });
});
