/**
 * Failed S3 requests in words, for messages that say what went wrong where. The SDK's errors
 * carry the HTTP status in `$metadata`; network errors carry only a message or a code.
 */

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** A 404 about the key, not the bucket (a missing bucket is a failure, not a missing object). */
export function isMissingObject(error: unknown): boolean {
  return statusOf(error) === 404 && (error as Error).name !== 'NoSuchBucket';
}

/** What went wrong in a request: the HTTP status and S3 error, or the network error. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = statusOf(error);
  // NOTE: HEAD responses have no body, so the SDK can only call their errors 'UnknownError'.
  const message = error.message === 'UnknownError' ? '' : error.message;
  if (status !== undefined) return `HTTP ${status} ${error.name}${message ? `: ${message}` : ''}`;
  return message || (error as NodeJS.ErrnoException).code || error.name;
}

/** Why HeadBucket failed, as the end of `bucket '<name>' ...`. */
export function describeBucketFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return (
      'cannot be accessed: no credentials were given and the AWS SDK found none ' +
      '(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)'
    );
  }
  switch (statusOf(error)) {
    case 404:
      return 'does not exist';
    case 403:
      return 'refuses access (HTTP 403); check the credentials and the bucket policy';
    case 301:
      return 'is in another region (HTTP 301); set the region';
    case undefined:
      return `cannot be reached: ${describeFailure(error)}`;
    default:
      return `cannot be used: ${describeFailure(error)}`;
  }
}
