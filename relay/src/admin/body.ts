import type { MiddlewareHandler } from 'hono';
import { jsonBody, type JsonBodyVariables } from '../http/json-body';

export type OptionalJsonVariables = Partial<JsonBodyVariables>;

/**
 * A JSON body that may be left out entirely (`curl -X POST …/retry`): no body means
 * `jsonBody` stays unset; any body at all gets `jsonBody`'s strict checks (415/413/400).
 */
export function optionalJsonBody(maxBytes: number): MiddlewareHandler<{ Variables: OptionalJsonVariables }> {
  const strict = jsonBody(maxBytes) as unknown as MiddlewareHandler<{ Variables: OptionalJsonVariables }>;
  return async (c, next) => {
    const length = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const empty = length === '0' || (length === undefined && !chunked && !c.req.header('content-type'));
    if (empty) return next();
    return strict(c, next);
  };
}
