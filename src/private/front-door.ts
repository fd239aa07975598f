import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ServeMetadata } from '../contracts/adapter-contract';

/** What a front door (a WsgiApi) tells its WsgiFunction once it exists: how requests reach the app. */
export interface FrontDoor {
  readonly apiType: NonNullable<ServeMetadata['apiType']>;
  /** The host the front door's requests name, for priming. */
  readonly host: string;
  readonly stage: string;
  /** Whether a CloudFront distribution is in front of it. */
  readonly distribution?: boolean;
  /** The alarm on the front door's 5xx rate, which gradual deployments also watch. */
  readonly serverErrorRateAlarm?: cloudwatch.IAlarm;
}
