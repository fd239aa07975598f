import * as logs from 'aws-cdk-lib/aws-logs';

/** How long each log group cdk-wsgi makes (the function's, the deploy tasks', an API's access log) keeps its events. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
