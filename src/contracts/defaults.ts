import { ApiType } from '../types';

/*
 * WsgiApi's defaults that `cdk-wsgi serve --entry` shares: the construct and the CLI both read them here, and
 * test/defaults.test.ts pins them. Plain values, so the CLI starts without loading aws-cdk-lib; the defaults that
 * are aws-cdk-lib objects (runtime, architecture, access log retention) sit where WsgiApi applies them.
 */

/** API Gateway stops waiting for a Lambda integration after 29 seconds (HTTP APIs cannot raise it; CDK caps both). */
export const MAX_INTEGRATION_TIMEOUT_SECONDS = 29;

/** Lambda runs an invocation for 15 minutes at most (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

/** The function may run as long as API Gateway waits for it, and no longer. */
export const DEFAULT_TIMEOUT_SECONDS = MAX_INTEGRATION_TIMEOUT_SECONDS;

/** MiB; Lambda's own 128 leaves a Flask or Django app slow to import. */
export const DEFAULT_MEMORY_SIZE = 512;

export const DEFAULT_API_TYPE = ApiType.REST;

/**
 * The stage of each front door; `$default` puts no stage segment in an HTTP API's URL, and is what a function URL's
 * events name (it has no stages).
 */
export const DEFAULT_STAGE_NAME: Readonly<Record<ApiType, string>> = {
  [ApiType.REST]: 'prod',
  [ApiType.HTTP]: '$default',
  [ApiType.FUNCTION_URL]: '$default',
  // Load balancers have no stages; their events name none.
  [ApiType.ALB]: '',
};

/** Every body is binary to the REST API, so responses of any type reach clients byte for byte. */
export const DEFAULT_BINARY_MEDIA_TYPES: readonly string[] = ['*/*'];

export const DEFAULT_WARM_UP_INTERVAL_MINUTES = 5;
export const DEFAULT_WARM_UP_CONCURRENCY = 1;

/** The alias every front door invokes; `cdk-wsgi` commands that invoke the function use it too. */
export const LIVE_ALIAS_NAME = 'live';

/**
 * Lambda gives an on-demand environment's init 10 seconds in all, runtime start and the app's import included, and
 * past them starts it again within the first request. With provisioned concurrency or SnapStart, init may take 130
 * seconds or the function's timeout, whichever is longer
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
export const INIT_LIMIT_SECONDS = 10;
export const PREINITIALIZED_INIT_LIMIT_SECONDS = 130;

/** How long priming may take at init: half the limit, leaving the rest to the runtime and the app's import. */
export const DEFAULT_PRIME_TIMEOUT_SECONDS = 5;

/** Provisioned concurrency scaling aims for 70% in use: headroom for a burst while new environments initialize. */
export const DEFAULT_UTILIZATION_TARGET = 0.7;
