import * as crypto from 'crypto';
import * as python from '@aws-cdk/aws-lambda-python-alpha';
// The alpha's Docker bundling (its image, the lock file exports, pip), exactly as PythonFunction runs it. Internal to the
// alpha, which this library takes as an exact peer dependency, so it cannot change under us.
import { Bundling as AlphaDockerBundling } from '@aws-cdk/aws-lambda-python-alpha/lib/bundling';
import { AssetHashType, BundlingOptions, FileSystem, IgnoreMode } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BundlingMode } from '../types';
import { withBytecode } from './bytecode';
import { DEFAULT_ASSET_EXCLUDES, LocalPythonBundling } from './local-bundling';

/** What the function's asset is built from. */
export interface FunctionCodeProps {
  /** The app's folder, absolute and with symlinks resolved. */
  readonly entry: string;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  /** The user's bundling options. */
  readonly bundling?: python.BundlingOptions;
  /** Who builds it: DOCKER runs the alpha's bundling in a container, LOCAL pip on this machine. */
  readonly mode: BundlingMode.DOCKER | BundlingMode.LOCAL;
  /** Why local bundling runs, for its one line. */
  readonly reason?: string;
  /** Whether the stack is bundled at all in this synth (no for unit tests and `cdk ls`): nothing is built then. */
  readonly bundlingRequired: boolean;
}

/**
 * Bump when the bundlers start producing different files from the same inputs, so that every app publishes a version
 * built the new way.
 */
const BUNDLE_FORMAT = 'cdk-wsgi function asset 1';

/**
 * The function's code: `entry` with its dependencies built for the runtime and architecture, by Docker or locally.
 *
 * CDK folds the bundling options into an asset's hash, so the two bundlers would give one source two hashes, and a
 * machine with Docker and one without would each publish a version of the same commit. The hash here is computed
 * from what goes into the bundle (bundleHash) and the bundling options hash to one constant, whoever builds it.
 */
export function functionCode(props: FunctionCodeProps): lambda.AssetCode {
  const { entry, runtime, architecture, bundling } = props;
  const excludes = assetExcludes(bundling);
  const builder: BundlingOptions = props.mode === BundlingMode.DOCKER && props.bundlingRequired
    ? { ...new AlphaDockerBundling({ entry, runtime, architecture, ...withBytecode(bundling), assetExcludes: excludes }) }
    : {
      image: runtime.bundlingImage,
      // Never run: the local bundler either bundles or fails with an error that says why.
      command: ['echo', 'cdk-wsgi: local bundling only'],
      local: new LocalPythonBundling({ entry, architecture, runtime, excludes, reason: props.reason }),
    };
  // A user who asks for the bundle's own hash (OUTPUT) gets CDK's; a user's assetHash replaces ours.
  const hashesOutput = bundling?.assetHashType === AssetHashType.OUTPUT;
  return lambda.Code.fromAsset(entry, {
    assetHash: hashesOutput ? undefined : bundling?.assetHash ?? bundleHash(props, excludes),
    assetHashType: hashesOutput ? bundling?.assetHashType : AssetHashType.CUSTOM,
    // No `exclude` here: CDK applies it to the source's hash only, which this hash replaces (newer aws-cdk-lib warns
    // that it does nothing); each bundler leaves the excluded files out itself.
    bundling: { ...builder, toJSON: () => BUNDLE_FORMAT } as BundlingOptions & { toJSON(): string },
  });
}

/** Every pattern left out of the asset: the defaults, and the user's `assetExcludes`. */
function assetExcludes(bundling: python.BundlingOptions | undefined): string[] {
  return [...DEFAULT_ASSET_EXCLUDES, ...(bundling?.assetExcludes ?? [])];
}

/**
 * The asset's hash: the sources' fingerprint (names and contents, the dependency file among them, without the
 * `excludes`), the runtime, the architecture, the exclusions and the user's bundling options; never which
 * bundler runs or where the folder is.
 */
function bundleHash(props: FunctionCodeProps, excludes: string[]): string {
  const { assetHash, assetHashType, assetExcludes: _, commandHooks, ...options } = props.bundling ?? {};
  const inputs = {
    format: BUNDLE_FORMAT,
    source: FileSystem.fingerprint(props.entry, { exclude: excludes, ignoreMode: IgnoreMode.GLOB }),
    runtime: props.runtime.name,
    architecture: props.architecture.name,
    excludes,
    options,
    // Hooks are code: what they run, with the bundling container's folders.
    commandHooks: commandHooks && {
      before: commandHooks.beforeBundling('/asset-input', '/asset-output'),
      after: commandHooks.afterBundling('/asset-input', '/asset-output'),
    },
  };
  return crypto.createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}
