import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { logicalId, synthWsgiApi, testStack } from './helpers';
import { ApiType, WsgiApiCorsOptions } from '../src';

const CORS: WsgiApiCorsOptions = { allowOrigins: ['https://www.example.com'], allowCredentials: true, maxAge: Duration.minutes(10) };

describe('cors', () => {
  test('REST: a preflight OPTIONS on every path, answered by API Gateway without calling the app', () => {
    const { template } = synthWsgiApi({ cors: CORS });
    const options = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } });
    expect(Object.keys(options)).toHaveLength(2);
    for (const method of Object.values(options)) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
      expect(method.Properties.Integration.Type).toBe('MOCK');
      expect(method.Properties.Integration.IntegrationResponses[0].ResponseParameters).toMatchObject({
        'method.response.header.Access-Control-Allow-Origin': "'https://www.example.com'",
        'method.response.header.Access-Control-Allow-Credentials': "'true'",
        'method.response.header.Access-Control-Max-Age': "'600'",
      });
    }
  });

  test('HTTP API: API Gateway answers preflights and adds the headers to responses', () => {
    const { template } = synthWsgiApi({ apiType: ApiType.HTTP, cors: CORS });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://www.example.com'],
        AllowMethods: ['*'],
        AllowCredentials: true,
        MaxAge: 600,
        AllowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent'],
      },
    });
  });

  test('function URL: Lambda answers preflights and adds the headers to responses', () => {
    const { template } = synthWsgiApi({ apiType: ApiType.FUNCTION_URL, cors: { allowOrigins: ['*'], allowMethods: ['GET', 'POST'] } });
    template.hasResourceProperties('AWS::Lambda::Url', {
      Cors: { AllowOrigins: ['*'], AllowMethods: ['GET', 'POST'], AllowHeaders: Match.arrayWith(['Content-Type', 'Authorization']) },
    });
  });

  test.each<[string, Parameters<typeof synthWsgiApi>[0], string]>([
    ['a load balancer', { apiType: ApiType.ALB, cors: CORS },
      "cors is answered by API Gateway or a function URL, not by a load balancer, got 'set'; remove cors and answer preflights in the app"],
    ['no origin', { cors: { allowOrigins: [] } }, "cors.allowOrigins must name at least one origin, got []; add one, e.g. 'https://www.example.com'"],
    ["'*' with credentials", { cors: { allowOrigins: ['*'], allowCredentials: true } },
      "cors.allowOrigins must name origins with allowCredentials (browsers refuse '*' then), got ['*']; list the origins the app serves"],
  ])('refuses %s, naming the fix', (_, props, message) => {
    expect(() => synthWsgiApi(props)).toThrow(message);
  });
});

describe('authorizers', () => {
  test('REST: every method of the proxy requires the authorizer; preflights do not', () => {
    const stack = testStack();
    const fn = new lambda.Function(stack, 'AuthFn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const authorizer = new apigateway.TokenAuthorizer(stack, 'Authorizer', { handler: fn });
    const { template } = synthWsgiApi({ authorizer, cors: CORS }, stack);
    const any = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'ANY' } });
    expect(Object.keys(any)).toHaveLength(2);
    for (const method of Object.values(any)) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: logicalId(authorizer) } });
    }
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }))) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
    }
  });

  test('HTTP API: the $default route requires the authorizer', () => {
    const httpAuthorizer = new HttpJwtAuthorizer('Jwt', 'https://issuer.example.com', { jwtAudience: ['app'] });
    const { template } = synthWsgiApi({ apiType: ApiType.HTTP, httpAuthorizer });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'JWT' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://issuer.example.com' } });
  });

  test('each is refused with the other front doors', () => {
    const httpAuthorizer = new HttpJwtAuthorizer('Jwt', 'https://issuer.example.com', { jwtAudience: ['app'] });
    expect(() => synthWsgiApi({ httpAuthorizer })).toThrow(
      "httpAuthorizer applies to ApiType.HTTP only, not to ApiType.REST, got 'a httpAuthorizer'; remove it, or use apiType: ApiType.HTTP");
  });
});
