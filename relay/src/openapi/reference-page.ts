/**
 * The API reference page: the OpenAPI document rendered as plain server-side HTML.
 * Hono's `html` template escapes every interpolated value; the page has no script and
 * one same-origin stylesheet, so it works under a strict Content-Security-Policy.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { JsonSchema, OpenApiDocument } from './document';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const REF_PREFIX = '#/components/schemas/';
const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const schemaAnchor = (name: string) => `schema-${slug(name)}`;

/** Descriptions use `backticks` for code; everything else is text. */
function prose(text: unknown): Html | string {
  if (typeof text !== 'string' || text === '') return '';
  const parts = text.split('`');
  return html`${parts.map((part, index) => (index % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function typeOf(schema: JsonSchema): Html | string {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.slice(REF_PREFIX.length);
    return html`<a href="#${schemaAnchor(name)}">${name}</a>`;
  }
  if (Array.isArray(schema.anyOf)) {
    return html`${(schema.anyOf as JsonSchema[]).map((option, index) => html`${index > 0 ? ' | ' : ''}${typeOf(option)}`)}`;
  }
  if (schema.const !== undefined) return html`<code>${JSON.stringify(schema.const)}</code>`;
  if (Array.isArray(schema.enum)) {
    return html`${(schema.enum as unknown[]).map((value, index) => html`${index > 0 ? ' | ' : ''}<code>${JSON.stringify(value)}</code>`)}`;
  }
  if (schema.type === 'array') return html`array of ${typeOf((schema.items as JsonSchema | undefined) ?? {})}`;
  if (schema.type === 'object' && !schema.properties) {
    const values = schema.additionalProperties;
    return typeof values === 'object' && values !== null && Object.keys(values).length > 0
      ? html`object of ${typeOf(values as JsonSchema)}`
      : 'object';
  }
  if (Array.isArray(schema.type)) return (schema.type as string[]).join(' | ');
  return typeof schema.type === 'string' ? schema.type : 'any';
}

const CONSTRAINTS: Array<[string, string]> = [
  ['format', 'format'],
  ['minLength', 'min length'],
  ['maxLength', 'max length'],
  ['minimum', 'min'],
  ['maximum', 'max'],
  ['minItems', 'min items'],
  ['maxItems', 'max items'],
  ['pattern', 'pattern'],
  ['default', 'default'],
];

function constraints(schema: JsonSchema): Html | string {
  const found = CONSTRAINTS.filter(([key]) => schema[key] !== undefined);
  if (found.length === 0) return '';
  return html`<span class="constraints">${found.map(
    ([key, label]) => html`<span>${label}: <code>${typeof schema[key] === 'string' ? schema[key] : JSON.stringify(schema[key])}</code></span>`,
  )}</span>`;
}

/** An object's fields as a table (nested objects get their own table in the cell). */
function fields(schema: JsonSchema): Html | string {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (schema.type !== 'object' || !properties) return html`<p class="type">${typeOf(schema)} ${constraints(schema)}</p>`;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return html`<table class="fields">
    <thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead>
    <tbody>
      ${Object.entries(properties).map(
        ([name, property]) => html`<tr>
          <td><code>${name}</code>${required.has(name) ? html` <span class="required">required</span>` : ''}</td>
          <td>${property.type === 'object' && property.properties ? 'object' : typeOf(property)}</td>
          <td>${prose(property.description)} ${constraints(property)}
            ${property.type === 'object' && property.properties ? fields(property) : ''}
            ${property.type === 'array' && (property.items as JsonSchema | undefined)?.properties ? fields(property.items as JsonSchema) : ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>${schema.additionalProperties === false ? html`<p class="note">No other fields are accepted.</p>` : ''}`;
}

function parameters(list: JsonSchema[] | undefined): Html | string {
  if (!list || list.length === 0) return '';
  return html`<h4>Parameters</h4>
    <table class="fields">
      <thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead>
      <tbody>
        ${list.map(
          (parameter) => html`<tr>
            <td><code>${String(parameter.name)}</code>${parameter.required ? html` <span class="required">required</span>` : ''}</td>
            <td>${String(parameter.in)}</td>
            <td>${typeOf(parameter.schema as JsonSchema)}</td>
            <td>${prose(parameter.description)} ${constraints(parameter.schema as JsonSchema)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}

function body(content: Record<string, { schema: JsonSchema }> | undefined): Html | string {
  const [type, media] = Object.entries(content ?? {})[0] ?? [];
  if (!type || !media) return '';
  return html`<code>${type}</code> ${typeOf(media.schema)}`;
}

function operation(path: string, method: string, op: JsonSchema, security: Record<string, JsonSchema>): Html {
  const auth = ((op.security as Array<Record<string, unknown>> | undefined) ?? []).flatMap((entry) => Object.keys(entry));
  const requestBody = op.requestBody as { required?: boolean; description?: string; content: Record<string, { schema: JsonSchema }> } | undefined;
  const responses = op.responses as Record<string, { description: string; content?: Record<string, { schema: JsonSchema }>; headers?: Record<string, JsonSchema> }>;
  return html`<section class="operation" id="${slug(`op ${method} ${path}`)}">
    <h3><span class="method method-${method}">${method.toUpperCase()}</span> <code class="path">${path}</code></h3>
    <p class="summary">${String(op.summary ?? '')}</p>
    ${op.description ? html`<p>${prose(op.description)}</p>` : ''}
    ${auth.map((name) => html`<p class="auth">Authentication: ${prose(security[name]?.description ?? name)}</p>`)}
    ${parameters(op.parameters as JsonSchema[] | undefined)}
    ${requestBody
      ? html`<h4>Request body${requestBody.required === false ? ' (optional)' : ''}</h4><p>${body(requestBody.content)}</p>`
      : ''}
    <h4>Responses</h4>
    <table class="responses">
      <tbody>
        ${Object.entries(responses)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(
            ([status, response]) => html`<tr>
              <td><span class="status status-${status.slice(0, 1)}xx">${status}</span></td>
              <td>${prose(response.description)}
                ${Object.entries(response.headers ?? {}).map(([name, header]) => html`<br /><small>Header <code>${name}</code>: ${prose(header.description)}</small>`)}</td>
              <td>${body(response.content)}</td>
            </tr>`,
          )}
      </tbody>
    </table>
  </section>`;
}

export function renderReferencePage(doc: OpenApiDocument): Html {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .sort(([a], [b]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b))
      .map(([method, op]) => ({ path, method, op, tag: ((op.tags as string[] | undefined) ?? ['Other'])[0]! })),
  );
  const byTag = doc.tags
    .map((tag) => ({ ...tag, operations: operations.filter((entry) => entry.tag === tag.name) }))
    .filter((tag) => tag.operations.length > 0);
  const security = doc.components.securitySchemes;
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${doc.info.title} — API reference</title>
  <link rel="stylesheet" href="/docs/reference.css" />
</head>
<body>
  <header>
    <h1>${doc.info.title} <small>API ${doc.info.version}</small></h1>
    <p>${prose(doc.info.description)}</p>
    <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
  </header>
  <nav aria-label="Contents">
    <h2>Contents</h2>
    <ul>
      ${byTag.map(
        (tag) => html`<li><a href="#${slug(`tag ${tag.name}`)}">${tag.name}</a>
          <ul>${tag.operations.map(
            ({ path, method, op }) => html`<li><a href="#${slug(`op ${method} ${path}`)}"><span class="method method-${method}">${method.toUpperCase()}</span> ${path}</a> <span class="muted">${String(op.summary ?? '')}</span></li>`,
          )}</ul></li>`,
      )}
      <li><a href="#schemas">Schemas</a></li>
    </ul>
  </nav>
  <main>
    ${byTag.map(
      (tag) => html`<section class="tag" id="${slug(`tag ${tag.name}`)}">
        <h2>${tag.name}</h2>
        <p>${prose(tag.description)}</p>
        ${tag.operations.map(({ path, method, op }) => operation(path, method, op, security))}
      </section>`,
    )}
    <section id="schemas">
      <h2>Schemas</h2>
      ${Object.entries(doc.components.schemas).map(
        ([name, schema]) => html`<section class="schema" id="${schemaAnchor(name)}">
          <h3>${name}</h3>
          ${schema.description ? html`<p>${prose(schema.description)}</p>` : ''}
          ${fields(schema)}
        </section>`,
      )}
    </section>
  </main>
</body>
</html>`;
}
