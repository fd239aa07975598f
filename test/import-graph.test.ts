import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/*
 * src/'s folders follow the dependency graph, each floor importing only those below it:
 *
 *   contracts/            what the construct, the CLI, the deploy-task runner and the Python adapter agree on
 *   shared/               what the construct and the CLI share that is no contract (resolving the app, prop errors)
 *   deploy-task-runner/   a Lambda function's asset: it ships as its files, so it may load contracts only
 *   cli/                  the `cdk-wsgi` command, which loads no construct code (nor aws-cdk-lib)
 *   private/              construct-only plumbing
 *   *.ts                  the constructs, types.ts (the public structs) and the index
 */

const SRC = path.join(__dirname, '..', 'src');

type Area = 'contracts' | 'types' | 'shared' | 'deploy-task-runner' | 'cli' | 'private' | 'constructs';

const MAY_IMPORT: Readonly<Record<Area, readonly Area[]>> = {
  'contracts': ['contracts', 'types'],
  'types': ['types'],
  'shared': ['shared', 'contracts', 'types'],
  'deploy-task-runner': ['deploy-task-runner', 'contracts'],
  'cli': ['cli', 'contracts', 'shared', 'types'],
  'private': ['private', 'contracts', 'shared', 'types'],
  'constructs': ['constructs', 'private', 'contracts', 'shared', 'types'],
};

/** Imports a rule lets through besides MAY_IMPORT, by the importing area and the imported file. */
const ALSO_ALLOWED: ReadonlyArray<{ from: Area; to: string; why: string }> = [
  // One Lambda client sends management commands, from `cdk-wsgi exec` and from the runner alike; the runner's
  // folder, which loads nothing above contracts, is a floor below the CLI.
  { from: 'cli', to: 'deploy-task-runner/run-command', why: 'the management-command client' },
];

/** Areas that may name a construct in a type, and only there: the public structs, and the plumbing the constructs call. */
const TYPE_ONLY_CONSTRUCTS: readonly Area[] = ['types', 'private'];

/** Areas that load without the CDK: the CLI starts without it, and the runner's asset holds no package of its own. */
const WITHOUT_CDK: readonly Area[] = ['contracts', 'shared', 'deploy-task-runner', 'cli'];
const CDK_PACKAGE = /^(aws-cdk-lib|constructs|@aws-cdk\/)/;

/** One import of a file: what it names, and whether it names only types (erased when compiled). */
interface Import {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Every module a TypeScript source names: imports, re-exports, `require(...)`, `import(...)` and `import('...')` types. */
function importsOf(fileName: string, source: string): Import[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])
      && ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword)) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The area of a module given by its path in src/ without extension, e.g. `cli/serve` or `types`; undefined when in none. */
function areaOf(module: string): Area | undefined {
  const parts = module.split('/');
  if (parts.length === 1) return module === 'types' ? 'types' : 'constructs';
  const folder = parts[0] as Area;
  return parts.length === 2 && folder in MAY_IMPORT && folder !== 'types' && folder !== 'constructs' ? folder : undefined;
}

/** What breaks the rules in `sources` (path in src/ → text), one line per import naming the file and the import. */
function violationsOf(sources: Record<string, string>): string[] {
  const violations: string[] = [];
  for (const [file, source] of Object.entries(sources)) {
    const from = areaOf(file.replace(/\.ts$/, ''));
    if (!from) {
      violations.push(`src/${file} is in a folder no rule names; add it to test/import-graph.test.ts`);
      continue;
    }
    for (const { specifier, typeOnly } of importsOf(file, source)) {
      if (!specifier.startsWith('.')) {
        if (CDK_PACKAGE.test(specifier) && !typeOnly && WITHOUT_CDK.includes(from)) {
          violations.push(`src/${file} imports '${specifier}', but ${from} loads without the CDK`);
        }
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const to = target.startsWith('../') ? undefined : areaOf(target);
      const allowed = to !== undefined && (MAY_IMPORT[from].includes(to)
        || ALSO_ALLOWED.some(rule => rule.from === from && rule.to === target)
        || (to === 'constructs' && typeOnly && TYPE_ONLY_CONSTRUCTS.includes(from)));
      if (!allowed) {
        const rule = to === 'constructs' && TYPE_ONLY_CONSTRUCTS.includes(from)
          ? 'constructs for their types only (import type)'
          : `${MAY_IMPORT[from].join(', ')}`;
        violations.push(`src/${file} imports '${specifier}' (${to ?? 'outside src/'}), but ${from} may import ${rule}`);
      }
    }
  }
  return violations;
}

function sourcesIn(dir: string): Record<string, string> {
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' }).filter(file => file.endsWith('.ts'));
  return Object.fromEntries(files.map(file => [file.split(path.sep).join('/'), fs.readFileSync(path.join(dir, file), 'utf-8')]));
}

describe('the imports of src/', () => {
  const sources = sourcesIn(SRC);

  test('never run back up a floor', () => {
    expect(violationsOf(sources)).toEqual([]);
  });

  test('are all read: each kind of import the sources use is seen', () => {
    const imports = (file: string) => importsOf(file, sources[file]).map(i => i.specifier);
    expect(imports('cli/lazy.ts')).toEqual(expect.arrayContaining(['../deploy-task-runner/run-command', './remote-target']));
    expect(imports('index.ts')).toContain('./wsgi-api');
    expect(importsOf('types.ts', sources['types.ts'])).toContainEqual({ specifier: './wsgi-domain', typeOnly: true });
  });
});

describe('the import rules', () => {
  test.each([
    ['contracts/a.ts', "import { x } from '../shared/app-source';", "src/contracts/a.ts imports '../shared/app-source' (shared)"],
    ['contracts/a.ts', "import { x } from '../private/nag';", "src/contracts/a.ts imports '../private/nag' (private)"],
    ['deploy-task-runner/a.ts', "import { x } from '../types';", "src/deploy-task-runner/a.ts imports '../types' (types)"],
    ['cli/a.ts', "import { resolve } from '../private/app-source';", "src/cli/a.ts imports '../private/app-source' (private)"],
    ['cli/a.ts', "import { WsgiApi } from '../wsgi-api';", "src/cli/a.ts imports '../wsgi-api' (constructs)"],
    ['cli/a.ts', "const x = require('../deploy-task-runner/deploy-task-runner');", "src/cli/a.ts imports '../deploy-task-runner/deploy-task-runner'"],
    ['cli/a.ts', "export const f = (): typeof import('../private/x') => 1;", "src/cli/a.ts imports '../private/x' (private)"],
    ['private/a.ts', "export { serve } from '../cli/serve';", "src/private/a.ts imports '../cli/serve' (cli)"],
    ['private/a.ts', "import { WsgiTask } from '../wsgi-task';", 'constructs for their types only'],
    ['wsgi-api.ts', "import { handler } from './deploy-task-runner/deploy-task-runner';", "src/wsgi-api.ts imports './deploy-task-runner/deploy-task-runner'"],
    ['shared/a.ts', "import { x } from '../cli/settings';", "src/shared/a.ts imports '../cli/settings' (cli)"],
    ['assets/a.ts', '', 'src/assets/a.ts is in a folder no rule names'],
    ['cli/a.ts', "import { Duration } from 'aws-cdk-lib';", "src/cli/a.ts imports 'aws-cdk-lib', but cli loads without the CDK"],
    ['contracts/a.ts', "import * as lambda from 'aws-cdk-lib/aws-lambda';", "src/contracts/a.ts imports 'aws-cdk-lib/aws-lambda'"],
  ])('refuse %s: %s', (file, source, message) => {
    const violations = violationsOf({ [file]: source });
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(message);
  });

  test.each([
    ['cli/a.ts', "import { commandClient } from '../deploy-task-runner/run-command';"],
    ['private/a.ts', "import type { WsgiTask } from '../wsgi-task';"],
    ['contracts/a.ts', "import { ApiType } from '../types';"],
    ['wsgi-api.ts', "import * as aws from 'aws-cdk-lib';"],
  ])('let through %s: %s', (file, source) => {
    expect(violationsOf({ [file]: source })).toEqual([]);
  });
});
