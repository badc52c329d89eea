import { describe, expect, it } from 'vitest';
import { compileS3Options, parseObjectStoreUrl } from './s3-options.js';

/** The message a bad URL is refused with (failing the test when it is accepted). */
function refusal(text: string): string {
  try {
    parseObjectStoreUrl(text, 'SLUICE_OBJECT_STORE');
  } catch (error) {
    expect(error).toMatchObject({ code: 'USAGE' });
    return (error as Error).message;
  }
  throw new Error(`'${text}' was accepted`);
}

describe('parseObjectStoreUrl', () => {
  it('reads bucket, prefix, endpoint, region and path style', () => {
    expect(
      parseObjectStoreUrl(
        's3://bucket/some/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=true',
      ),
    ).toEqual({
      bucket: 'bucket',
      prefix: 'some/prefix/',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
  });

  it('leaves out what the URL does not say, so defaults apply later', () => {
    expect(parseObjectStoreUrl('s3://my.data-bucket')).toEqual({ bucket: 'my.data-bucket', prefix: '' });
    expect(parseObjectStoreUrl('s3://abc/')).toEqual({ bucket: 'abc', prefix: '' });
    expect(parseObjectStoreUrl('s3://abc/runs/2024/?path_style=false')).toEqual({
      bucket: 'abc',
      prefix: 'runs/2024/',
      forcePathStyle: false,
    });
    expect(parseObjectStoreUrl('s3://abc/with%20space')).toEqual({ bucket: 'abc', prefix: 'with space/' });
  });

  it('refuses malformed URLs, saying what it expected', () => {
    const bad = [
      'not a url',
      'http://bucket/prefix',
      's3:///prefix',
      's3://Bucket_1/x',
      's3://ab',
      's3://KEY:SECRET@bucket/x',
      's3://bucket:9000/x',
      's3://bucket/x#part',
      's3://bucket/a//b',
      's3://bucket?regoin=eu-west-1',
      's3://bucket?region=a&region=b',
      's3://bucket?region=eu west',
      's3://bucket?path_style=yes',
      's3://bucket?endpoint=ftp://host',
      's3://bucket?endpoint=http://user:pw@host:9000',
      's3://bucket/%E0%A4%A',
    ];
    const messages = bad.map(refusal);
    expect(messages.join('\n')).not.toMatch(/SECRET|pw@/);
    expect(messages).toMatchInlineSnapshot(`
      [
        "SLUICE_OBJECT_STORE: 'not a url' is not a URL; expected s3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&path_style=true|false]",
        "SLUICE_OBJECT_STORE: 'http://bucket/prefix' has scheme 'http:'; expected s3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&path_style=true|false]",
        "SLUICE_OBJECT_STORE: 's3:///prefix' names no bucket; expected s3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&path_style=true|false]",
        "SLUICE_OBJECT_STORE: 's3://Bucket_1/x': 'Bucket_1' is not a bucket name; expected 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit",
        "SLUICE_OBJECT_STORE: 's3://ab': 'ab' is not a bucket name; expected 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit",
        "SLUICE_OBJECT_STORE: 's3://***@bucket/x' holds credentials; pass them as options or through the AWS SDK's default chain instead",
        "SLUICE_OBJECT_STORE: 's3://bucket:9000/x' has a port; give the server as ?endpoint=http://<host>:<port>",
        "SLUICE_OBJECT_STORE: 's3://bucket/x#part' has a '#' part; expected s3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&path_style=true|false]",
        "SLUICE_OBJECT_STORE: 's3://bucket/a//b': key prefix 'a//b' has an empty, '.' or '..' part; expected folder names joined by '/'",
        "SLUICE_OBJECT_STORE: 's3://bucket?regoin=eu-west-1': unknown parameter 'regoin'; allowed: endpoint, region, path_style",
        "SLUICE_OBJECT_STORE: 's3://bucket?region=a&region=b': parameter 'region' is given twice",
        "SLUICE_OBJECT_STORE: 's3://bucket?region=eu west': 'eu west' is not a region name; expected e.g. eu-west-1",
        "SLUICE_OBJECT_STORE: 's3://bucket?path_style=yes': path_style must be true or false, found 'yes'",
        "SLUICE_OBJECT_STORE: 's3://bucket?endpoint=ftp://host': endpoint 'ftp://host' is not an http(s) URL; expected e.g. http://127.0.0.1:9000",
        "SLUICE_OBJECT_STORE: 's3://bucket?endpoint=http://***@host:9000': endpoint 'http://***@host:9000' has credentials, a query or a '#'; expected e.g. http://127.0.0.1:9000",
        "SLUICE_OBJECT_STORE: 's3://bucket/%E0%A4%A': the key prefix has a malformed %-escape",
      ]
    `);
  });
});

describe('compileS3Options', () => {
  it('fills in defaults and adds the trailing / to a prefix', () => {
    expect(compileS3Options({ bucket: 'abc', prefix: 'a/b' })).toEqual({
      bucket: 'abc',
      prefix: 'a/b/',
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: undefined,
      where: 's3://abc/a/b/ in AWS region us-east-1',
    });
    expect(compileS3Options({ bucket: 'abc', endpoint: 'http://minio:9000/' })).toMatchObject({
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      where: 's3://abc/ at http://minio:9000',
    });
  });
});
