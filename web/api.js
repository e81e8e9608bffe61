// The reviews API (openapi.yaml): list is public; create, update and delete send the Cognito ID
// token as the raw `Authorization` value, as a COGNITO_USER_POOLS authorizer takes it.

export class ApiError extends Error {
  constructor(kind, status, detail) {
    super(`${kind} ${status} ${detail}`);
    this.kind = kind;      // network | expired | invalid | forbidden | missing | server | other
    this.status = status;
    this.detail = detail;  // the API's own {"message"}, shown as text only
  }
}

const KINDS = { 400: 'invalid', 401: 'expired', 403: 'forbidden', 404: 'missing' };

export function reviewsApi(config, token) {
  const base = config.apiUrl.replace(/\/+$/, '');
  async function request(method, path, { body, signed = false } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (signed) {
      const idToken = token();
      if (!idToken) throw new ApiError('expired', 401, '');
      headers.Authorization = idToken;
    }
    let response;
    try {
      response = await fetch(base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // The browser hides why: the server is down, or its reply lacked the CORS headers that
      // allow this page's origin (the console names which).
      throw new ApiError('network', 0, '');
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const detail = data && typeof data.message === 'string' ? data.message : '';
      throw new ApiError(KINDS[response.status] || (response.status >= 500 ? 'server' : 'other'),
        response.status, detail);
    }
    return data;
  }
  return {
    list({ author, nextToken, limit = 10 } = {}) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (author) query.set('author', author);
      if (nextToken) query.set('nextToken', nextToken);
      return request('GET', `/reviews?${query}`);
    },
    create: (text) => request('POST', '/reviews', { body: { review: text }, signed: true }),
    update: (id, text) => request('PUT', `/reviews/${encodeURIComponent(id)}`,
      { body: { review: text }, signed: true }),
    remove: (id) => request('DELETE', `/reviews/${encodeURIComponent(id)}`, { signed: true }),
  };
}

const WORDS = {
  network: () => 'The reviews service could not be reached. It may be down, or it does not '
    + 'accept requests from this page (a CORS setting). Try again in a moment.',
  expired: () => 'Your session has expired. Please sign in again; what you typed is kept.',
  invalid: (e) => `The review was not accepted: ${e.detail || 'please check what you typed.'}`,
  forbidden: () => 'You can only change or delete your own reviews.',
  missing: () => 'That review no longer exists; it may have been deleted.',
  server: () => 'The reviews service had a problem. Please try again in a moment.',
};

export function describeApiError(error) {
  const words = WORDS[error.kind];
  return words ? words(error) : `Something went wrong (${error.status}). ${error.detail}`.trim();
}
