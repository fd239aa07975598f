import { VIEWER_ADDRESS_HEADER, VIEWER_HOST_HEADER, VIEWER_PROTO_HEADER } from '../contracts/adapter-contract';

/**
 * The CloudFront Function (JavaScript runtime 2.0) the distribution runs on each viewer request. The origin must receive
 * its own Host, so the visitor's travels in VIEWER_HOST_HEADER, with their address (event.viewer.ip) in
 * VIEWER_ADDRESS_HEADER, and `https` in VIEWER_PROTO_HEADER, since the distribution redirects HTTP before this runs; the
 * origin request policy forwards every viewer header but Host, these included. Setting them replaces any a client sent. https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 */
export const VIEWER_REQUEST_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var host = request.headers.host;
  request.headers['${VIEWER_HOST_HEADER}'] = { value: host ? host.value : '' };
  request.headers['${VIEWER_ADDRESS_HEADER}'] = { value: event.viewer.ip };
  request.headers['${VIEWER_PROTO_HEADER}'] = { value: 'https' };
  return request;
}
`;
