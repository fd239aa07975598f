import { domainUrl } from '../src/private/domain-url';

describe('domainUrl', () => {
  test('ends in / at the root of the domain and under a base path', () => {
    expect(domainUrl('www.example.com', undefined)).toBe('https://www.example.com/');
    expect(domainUrl('api.example.com', 'v1/shop')).toBe('https://api.example.com/v1/shop/');
  });
});
