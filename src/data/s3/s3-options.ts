/**
 * Options of the S3 object store, and their URL form
 * `s3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&path_style=true|false]` (what
 * `SLUICE_OBJECT_STORE` holds). Both are checked here, once, before any client is built.
 */
import { SluiceError } from '../../core/index.js';

/** Options of `openS3ObjectStore`. */
export interface S3ObjectStoreOptions {
  /** The bucket; it must exist and be reachable when the store is opened. */
  bucket: string;
  /** A folder-like key prefix, '' by default; a missing trailing '/' is added. */
  prefix?: string;
  /** The base URL of an S3-compatible server (MinIO, Ceph, R2, ...); AWS S3 when absent. */
  endpoint?: string;
  /** The region requests are signed for; default 'us-east-1'. */
  region?: string;
  /** Address the bucket as `<endpoint>/<bucket>`; default true with an `endpoint`, else false. */
  forcePathStyle?: boolean;
  /** Static credentials; without them, the AWS SDK's default chain (AWS_* variables, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** {@link S3ObjectStoreOptions} checked and with defaults filled in. */
export interface CompiledS3Options {
  bucket: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: S3ObjectStoreOptions['credentials'];
  /** Where the store is, for messages: `s3://bucket/prefix/ at http://host:port`. */
  where: string;
}

const URL_FORM = 's3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&path_style=true|false]';
const URL_PARAMETERS = ['endpoint', 'region', 'path_style'];
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9][a-z0-9_-]*$/i;

/** Checks options and fills in defaults; `USAGE` naming the bad option. */
export function compileS3Options(options: S3ObjectStoreOptions): CompiledS3Options {
  const bucket = checkBucket(options.bucket, 'object store');
  const prefix = checkPrefix(options.prefix ?? '', 'object store');
  const endpoint =
    options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint, 'object store');
  const region = checkRegion(options.region ?? 'us-east-1', 'object store');
  const where = `s3://${bucket}/${prefix} ${endpoint ? `at ${endpoint}` : `in AWS region ${region}`}`;
  return {
    bucket,
    prefix,
    endpoint,
    region,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    credentials: options.credentials,
    where,
  };
}

/**
 * Reads the URL form of the options; `USAGE` saying what was found and what is expected.
 * `label` names where the text came from in messages (e.g. `SLUICE_OBJECT_STORE`).
 *
 * @example
 * parseObjectStoreUrl('s3://data/sluice?endpoint=http://127.0.0.1:9000&path_style=true');
 * // { bucket: 'data', prefix: 'sluice/', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }
 */
export function parseObjectStoreUrl(text: string, label = 'object store URL'): S3ObjectStoreOptions {
  const shown = `${label}: '${redact(text)}'`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SluiceError('USAGE', `${shown} is not a URL; expected ${URL_FORM}`);
  }
  if (url.protocol !== 's3:') {
    throw new SluiceError('USAGE', `${shown} has scheme '${url.protocol}'; expected ${URL_FORM}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new SluiceError(
      'USAGE',
      `${shown} holds credentials; pass them as options or through the AWS SDK's default chain instead`,
    );
  }
  if (url.port !== '') {
    throw new SluiceError('USAGE', `${shown} has a port; give the server as ?endpoint=http://<host>:<port>`);
  }
  if (url.hash !== '') throw new SluiceError('USAGE', `${shown} has a '#' part; expected ${URL_FORM}`);
  if (url.hostname === '') throw new SluiceError('USAGE', `${shown} names no bucket; expected ${URL_FORM}`);
  const options: S3ObjectStoreOptions = {
    bucket: checkBucket(url.hostname, shown),
    prefix: checkPrefix(decodePath(url.pathname.slice(1), shown), shown),
  };
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    const value = values[0] ?? '';
    if (!URL_PARAMETERS.includes(key)) {
      throw new SluiceError(
        'USAGE',
        `${shown}: unknown parameter '${key}'; allowed: ${URL_PARAMETERS.join(', ')}`,
      );
    }
    if (values.length > 1) throw new SluiceError('USAGE', `${shown}: parameter '${key}' is given twice`);
    if (key === 'endpoint') options.endpoint = checkEndpoint(value, shown);
    else if (key === 'region') options.region = checkRegion(value, shown);
    else options.forcePathStyle = checkBoolean(value, shown);
  }
  return options;
}

function checkBucket(bucket: string, where: string): string {
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new SluiceError(
      'USAGE',
      `${where}: '${bucket}' is not a bucket name; expected 3-63 lowercase letters, digits, '.' or '-', ` +
        'starting and ending with a letter or digit',
    );
  }
  return bucket;
}

function checkPrefix(prefix: string, where: string): string {
  if (prefix === '') return '';
  const folders = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (folders.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new SluiceError(
      'USAGE',
      `${where}: key prefix '${prefix}' has an empty, '.' or '..' part; expected folder names joined by '/'`,
    );
  }
  return `${folders}/`;
}

function checkEndpoint(endpoint: string, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SluiceError(
      'USAGE',
      `${where}: endpoint '${redact(endpoint)}' is not an http(s) URL; expected e.g. http://127.0.0.1:9000`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new SluiceError(
      'USAGE',
      `${where}: endpoint '${redact(endpoint)}' has credentials, a query or a '#'; expected e.g. http://127.0.0.1:9000`,
    );
  }
  return endpoint.replace(/\/+$/, '');
}

function checkRegion(region: string, where: string): string {
  if (!REGION.test(region)) {
    throw new SluiceError('USAGE', `${where}: '${region}' is not a region name; expected e.g. eu-west-1`);
  }
  return region;
}

function checkBoolean(value: string, where: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new SluiceError('USAGE', `${where}: path_style must be true or false, found '${value}'`);
}

function decodePath(path: string, where: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new SluiceError('USAGE', `${where}: the key prefix has a malformed %-escape`);
  }
}

/** Hides credentials of `scheme://user:secret@host` so that messages never show them. */
function redact(text: string): string {
  return text.replace(/\/\/[^/?#@]*@/g, '//***@');
}
