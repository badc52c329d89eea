/**
 * The API reference page (`/api/docs`): rendered on the server from the OpenAPI document
 * as one self-contained HTML page — no scripts, no external resources — listing operations
 * grouped by tag with method, path, parameters and request/response schemas.
 */

interface OpenApiLike {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined>>;
  components?: { schemas?: Record<string, unknown> };
}

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A compact, readable form of a JSON schema: `{ id: string, tags: string[] }`, `$ref`s by name. */
export function schemaText(schema: unknown, depth = 0): string {
  if (schema === undefined || schema === null || typeof schema !== 'object') return 'any';
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') return s.$ref.split('/').pop() ?? s.$ref;
  const nullable = Array.isArray(s.type) && s.type.includes('null') ? ' | null' : '';
  const type = Array.isArray(s.type) ? s.type.find((item) => item !== 'null') : s.type;
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key]))
      return (s[key] as unknown[]).map((item) => schemaText(item, depth)).join(' | ');
  }
  if (Array.isArray(s.enum)) return s.enum.map((item) => JSON.stringify(item)).join(' | ') + nullable;
  if (type === 'array') return `${schemaText(s.items, depth)}[]${nullable}`;
  if (type === 'object' || s.properties) {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const keys = Object.keys(props);
    if (keys.length === 0) return `object${nullable}`;
    if (depth > 2) return `{ … }${nullable}`;
    const pad = '  '.repeat(depth + 1);
    const lines = keys.map(
      (key) => `${pad}${key}${required.has(key) ? '' : '?'}: ${schemaText(props[key], depth + 1)}`,
    );
    return `{\n${lines.join(',\n')}\n${'  '.repeat(depth)}}${nullable}`;
  }
  const format = typeof s.format === 'string' ? ` (${s.format})` : '';
  return `${typeof type === 'string' ? type : 'any'}${format}${nullable}`;
}

function contentBlock(content: Record<string, { schema?: unknown }> | undefined): string {
  if (!content) return '';
  return Object.entries(content)
    .map(
      ([type, media]) =>
        `<div class="media">${escape(type)}</div><pre>${escape(schemaText(media.schema))}</pre>`,
    )
    .join('');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (param) =>
        `<tr><td><code>${escape(param.name)}</code></td><td>${escape(param.in)}</td><td>${param.required ? 'required' : ''}</td><td><code>${escape(schemaText(param.schema))}</code></td><td>${escape(param.description ?? '')}</td></tr>`,
    )
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, response]) =>
        `<div class="response"><span class="status s${escape(status[0] ?? '')}">${escape(status)}</span> ${escape(response.description ?? '')}${contentBlock(response.content)}</div>`,
    )
    .join('');
  return `<section class="op" id="${escape(`${method}-${path}`)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p>${escape(op.summary ?? '')}</p>${op.description ? `<p class="desc">${escape(op.description)}</p>` : ''}
${params ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th></th><th>type</th><th>description</th></tr>${params}</table>` : ''}
${op.requestBody ? `<h4>Request body</h4>${contentBlock(op.requestBody.content)}` : ''}
<h4>Responses</h4>${responses}
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1d2330}
nav{width:260px;padding:16px;background:#f4f5f8;height:100vh;overflow:auto;position:sticky;top:0;font-size:13px}
nav a{display:block;color:#334;text-decoration:none;padding:1px 0}main{flex:1;padding:16px 32px;max-width:1000px}
.method{display:inline-block;min-width:58px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#ef6c00}.delete{background:#c62828}.patch{background:#6a1b9a}
.op{border-top:1px solid #dde;padding:8px 0}pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:13px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #dde;padding:3px 8px;text-align:left}
.status{font-weight:bold}.s2{color:#2f7d32}.s4{color:#c62828}.media{font-size:12px;color:#667}.desc{color:#445}`;

/** Renders the reference page of an OpenAPI document. */
export function renderDocs(document: unknown): string {
  const doc = document as OpenApiLike;
  const byTag = new Map<string, string[]>();
  const nav = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag))?.push(operationHtml(method, path, op));
      (nav.get(tag) ?? nav.set(tag, []).get(tag))?.push(
        `<a href="#${escape(`${method}-${path}`)}">${method.toUpperCase()} ${escape(path)}</a>`,
      );
    }
  }
  const tags = [...byTag.keys()];
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<h3 id="schema-${escape(name)}">${escape(name)}</h3><pre>${escape(schemaText(schema))}</pre>`,
    )
    .join('');
  const title = escape(doc.info?.title ?? 'API');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} reference</title><style>${STYLE}</style></head><body>
<nav><strong>${title} ${escape(doc.info?.version ?? '')}</strong>${tags.map((tag) => `<h4>${escape(tag)}</h4>${(nav.get(tag) ?? []).join('')}`).join('')}<h4><a href="#schemas">schemas</a></h4><a href="/api/openapi.json">openapi.json</a></nav>
<main><h1>${title}</h1><p>${escape(doc.info?.description ?? '')}</p>
${tags.map((tag) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${(byTag.get(tag) ?? []).join('\n')}`).join('\n')}
<h2 id="schemas">Schemas</h2>${schemas}</main></body></html>`;
}
