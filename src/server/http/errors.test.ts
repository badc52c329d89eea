import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../core/index.js';
import { errorBody, httpStatusFor } from './errors.js';

describe('API errors', () => {
  it('maps codes to statuses by table, then by family', () => {
    expect(httpStatusFor('INVALID_PATH')).toBe(400);
    expect(httpStatusFor('PARAM_TYPE')).toBe(400);
    expect(httpStatusFor('SPEC_CYCLE')).toBe(400);
    expect(httpStatusFor('UNAUTHORIZED')).toBe(401);
    expect(httpStatusFor('FORBIDDEN')).toBe(403);
    expect(httpStatusFor('RUN_NOT_FOUND')).toBe(404);
    expect(httpStatusFor('MODEL_NOT_FOUND')).toBe(404);
    expect(httpStatusFor('REPO_EXISTS')).toBe(409);
    expect(httpStatusFor('PAYLOAD_TOO_LARGE')).toBe(413);
    expect(httpStatusFor('STORE')).toBe(500);
  });

  it('hides unexpected failures outside dev, and shows their stack in dev', () => {
    const crash = new TypeError("Cannot read properties of undefined (reading 'x')");
    const hidden = errorBody(crash, false);
    expect(hidden).toEqual({
      status: 500,
      body: { code: 'INTERNAL', message: 'internal error; see the server log', details: {} },
    });
    const shown = errorBody(crash, true);
    expect(shown.body.message).toMatch(/reading 'x'/);
    expect(String(shown.body.details.stack)).toMatch(/TypeError/);
  });

  it('keeps a SluiceError as it is, details included, always with a details object', () => {
    expect(errorBody(new SluiceError('RUN_NOT_FOUND', "no run has id 'x'"), false)).toEqual({
      status: 404,
      body: { code: 'RUN_NOT_FOUND', message: "no run has id 'x'", details: {} },
    });
    expect(
      errorBody(new SluiceError('INVALID_PATH', 'bad', { details: { path: '..' } }), false).body.details,
    ).toEqual({
      path: '..',
    });
  });
});
