// The node's /v1 API, as any other client uses it: bearer token from sessionStorage,
// RFC 9457 problem documents turned into ApiError.

const TOKEN_KEY = 'junction.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

let unauthorizedHandler = () => {};

/** Called with the ApiError whenever a call answers 401 (no or a wrong token). */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** fetch() a /v1 path; resolves to parsed JSON (or text), rejects with ApiError. */
export async function call(method, path, { body, contentType, query } = {}) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const response = await fetch(url, { method, headers, body });
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const problem = typeof payload === 'object' ? payload : { title: response.statusText, detail: payload };
    const error = new ApiError(response.status, problem);
    if (response.status === 401) unauthorizedHandler(error);
    throw error;
  }
  return payload;
}

export const get = (path, query) => call('GET', path, { query });

/** The live snapshot feed; EventSource cannot send headers, so the token rides in the query. */
export function events() {
  const t = token();
  return new EventSource('/v1/events' + (t ? `?access_token=${encodeURIComponent(t)}` : ''));
}
