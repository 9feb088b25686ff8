/**
 * Builds the relay's OpenAPI 3.1 document from a table of routes (`paths.ts`) and the
 * zod schemas, converted with zod 4's own `z.toJSONSchema` (OpenAPI 3.1 schemas are JSON
 * Schema 2020-12, so no adapter library is needed).
 */
import { z } from 'zod';
import relayPackage from '../../package.json' with { type: 'json' };
import { addRuleKeywords, NAMED_SCHEMAS } from './schemas';

export type SchemaName = keyof typeof NAMED_SCHEMAS;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** adminToken: Bearer RELAY_ADMIN_TOKEN; metricsToken: Bearer RELAY_METRICS_TOKEN or the admin token. */
export type Auth = 'adminToken' | 'metricsToken' | 'webhookSignature';

export interface ResponseDoc {
  description: string;
  /** A named JSON schema; otherwise `contentType` says what the body is. */
  schema?: SchemaName;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteDoc {
  method: Method;
  /** The Hono pattern, e.g. `/v1/admin/signups/:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth?: Auth;
  params?: Record<string, string>;
  /** A zod object schema of the query string (the one the route parses with). */
  query?: z.ZodType;
  /** Extra words for query parameters whose schema has no description. */
  queryNotes?: Record<string, string>;
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  body?: { schema: SchemaName; required?: boolean; description?: string };
  responses: Record<number, ResponseDoc>;
}

export type JsonSchema = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

/** `/v1/admin/signups/:id` → `/v1/admin/signups/{id}` (Hono's optional regex `:id{…}` too). */
export function toOpenApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}');
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const jsonSchemaOptions = {
  target: 'draft-2020-12',
  io: 'input',
  unrepresentable: 'any',
  override: addRuleKeywords,
} as const;

function withoutMeta({ $schema: _schema, $id: _id, ...schema }: JsonSchema): JsonSchema {
  return schema;
}

function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { ...jsonSchemaOptions, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutMeta(schema as JsonSchema)]));
}

function queryParameters(route: RouteDoc): JsonSchema[] {
  if (!route.query) return [];
  const schema = z.toJSONSchema(route.query, jsonSchemaOptions) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    const note = route.queryNotes?.[name] ?? description;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, schema: rest, ...(note ? { description: note } : {}) };
  });
}

const error = (description: string): ResponseDoc => ({ description, schema: 'ErrorBody' });

/** The refusals every route of a kind can answer, so the table lists only its own. */
function standardErrors(route: RouteDoc): Record<number, ResponseDoc> {
  const errors: Record<number, ResponseDoc> = {};
  if (route.query) errors[400] = error('A query parameter is invalid (field-level `issues` say which)');
  if (route.body) {
    errors[400] = error('The body is not valid JSON or a field is invalid (field-level `issues` say which)');
    errors[413] = error('The body is too large');
    errors[415] = error('Content-Type is not application/json');
  }
  if (route.auth === 'adminToken' || route.auth === 'metricsToken') {
    errors[401] = { ...error('No valid bearer token'), headers: { 'WWW-Authenticate': 'Bearer challenge' } };
    errors[503] = error('Disabled: no token is configured');
  }
  return errors;
}

function operation(route: RouteDoc): JsonSchema {
  const parameters = [
    ...Object.entries(route.params ?? {}).map(([name, description]) => ({
      name,
      in: 'path',
      required: true,
      description,
      schema: { type: 'string' },
    })),
    ...queryParameters(route),
    ...(route.headers ?? []).map(({ name, description, required = false }) => ({
      name,
      in: 'header',
      required,
      description,
      schema: { type: 'string' },
    })),
  ];
  const responses = Object.fromEntries(
    Object.entries({ ...standardErrors(route), ...route.responses }).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.headers
          ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, text]) => [name, { description: text, schema: { type: 'string' } }])) }
          : {}),
        ...(response.schema
          ? { content: { 'application/json': { schema: ref(response.schema) } } }
          : response.contentType
            ? { content: { [response.contentType]: { schema: { type: 'string' } } } }
            : {}),
      },
    ]),
  );
  return {
    operationId: `${route.method}${toOpenApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase())}`,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.auth ? { security: [{ [route.auth]: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required ?? true,
            ...(route.body.description ? { description: route.body.description } : {}),
            content: { 'application/json': { schema: ref(route.body.schema) } },
          },
        }
      : {}),
    responses,
  };
}

export interface DocumentOptions {
  routes: RouteDoc[];
  tags: Array<{ name: string; description: string }>;
}

export function buildOpenApiDocument({ routes, tags }: DocumentOptions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) (paths[toOpenApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vantio signup relay',
      version: relayPackage.version,
      description:
        'Turns poster QR scans into Vantio referrals. The widget (and any API client) posts signups here; ' +
        'signed webhooks from existing signup systems arrive here too; the relay stores each one durably, ' +
        'then delivers it to Vantio exactly once. Every error is `{ "error", "message" }` (plus `issues` for field errors).',
    },
    servers: [{ url: '/' }],
    tags,
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <RELAY_ADMIN_TOKEN>' },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Authorization: Bearer <RELAY_METRICS_TOKEN> (a scrape-only token); the admin token works too',
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description:
            "A signature over the raw body with one of the source's secrets; which headers depends on its verifier: " +
            '`webhook-id`, `webhook-timestamp`, `webhook-signature` (standard-webhooks); `svix-id`, `svix-timestamp`, `svix-signature` (svix, e.g. Clerk); ' +
            '`Typeform-Signature` (typeform); `Tally-Signature` (tally); or the header the source names (hmac-sha256, hex or base64).',
        },
      },
    },
  };
}
