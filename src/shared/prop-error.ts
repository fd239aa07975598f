/**
 * Builds the one error format every validation uses: the prop, the rule, the value seen and the fix.
 *
 * @example propError('customDomain.basePath', "must not start or end with '/'", '/v1', "use 'v1'")
 *   // customDomain.basePath must not start or end with '/', got '/v1'; use 'v1'
 */
export function propError(prop: string, rule: string, value: unknown, fix: string): Error {
  return new Error(`${prop} ${rule}, got ${show(value)}; ${fix}`);
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return typeof value === 'string' ? `'${value}'` : String(value);
}
