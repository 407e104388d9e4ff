// Type-level test of the public surface (CONTRACT §2): every specifier, the
// option and result types, error fields and narrowing, written the way
// users write them, with explicit annotations so a declaration that drifts
// from the original's shape fails `tsc -p __test__/types/tsconfig.json`.
// Lines marked @ts-expect-error must stay errors. Never run, only checked.

import {
  HTTPClient,
  Mix,
  SDK_METADATA,
  ServerList,
  serverURLFromOptions,
  type Fetcher,
  type HTTPClientOptions,
  type SDKOptions,
} from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
import * as errors from "mix-typescript-sdk/models/errors";
import {
  ConnectionError,
  ErrorResponse,
  HTTPClientError,
  InvalidRequestError,
  MixDefaultError,
  MixError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  SDKValidationError,
  UnexpectedClientError,
} from "mix-typescript-sdk/models/errors/index.js";
import {
  refreshOAuthTokensResponseFromJSON,
  type RefreshOAuthTokensResponse,
} from "mix-typescript-sdk/models/operations";
import { RESTErrorType, type RESTError } from "mix-typescript-sdk/models";
import type { BackoffStrategy, RetryConfig } from "mix-typescript-sdk/lib/retries.js";
import type { RequestOptions } from "mix-typescript-sdk/lib/sdks.js";
import { HTTPClient as HTTPClientFromLib } from "mix-typescript-sdk/lib/http";
import { HTTPClient as HTTPClientFromLibJs } from "mix-typescript-sdk/lib/http.js";
import { APIPromise, type APICall, type Result } from "mix-typescript-sdk/types";

// --- root exports ------------------------------------------------------------------

const servers: readonly string[] = ServerList;
const firstServer: "http://localhost:8088" = ServerList[0];
const sdkVersion: string = SDK_METADATA.sdkVersion;
const userAgent: string = SDK_METADATA.userAgent;
const sameHTTPClient: typeof HTTPClient = HTTPClientFromLib;
const sameHTTPClientJs: typeof HTTPClient = HTTPClientFromLibJs;

// --- options ------------------------------------------------------------------------

const backoff: BackoffStrategy = { initialInterval: 500, maxInterval: 60_000, exponent: 1.5, maxElapsedTime: 600_000 };
const retryConfig: RetryConfig = { strategy: "backoff", backoff, retryConnectionErrors: true };
const noRetry: RetryConfig = { strategy: "none" };
// @ts-expect-error only "none" and "backoff" are strategies
const badRetry: RetryConfig = { strategy: "sometimes" };

const fetcher: Fetcher = (input, init) => fetch(input, init);
const httpClientOptions: HTTPClientOptions = { fetcher };
const httpClient: HTTPClient = new HTTPClient(httpClientOptions);
httpClient.addHook("beforeRequest", (req: Request) => {
  req.headers.set("x-trace", "1");
  return req;
});
httpClient.addHook("response", (res: Response, req: Request) => {
  void res.status;
  void req.url;
});
httpClient.addHook("requestError", (err: unknown, req: Request) => {
  void err;
  void req;
});
const cloned: HTTPClient = httpClient.clone();

const sdkOptions: SDKOptions = {
  serverURL: "http://localhost:8088/api",
  serverIdx: 0,
  userAgent: "my-app/1.0",
  retryConfig,
  timeoutMs: 5_000,
  debugLogger: console,
  httpClient: cloned,
};
const base: URL | null = serverURLFromOptions(sdkOptions);

// @ts-expect-error timeoutMs is a number
new Mix({ timeoutMs: "5" });
// @ts-expect-error retryConfig is a RetryConfig
new Mix({ retryConfig: 3 });

const requestOptions: RequestOptions = {
  timeoutMs: 1_000,
  retries: noRetry,
  retryCodes: ["5XX", "429"],
  serverURL: new URL("http://127.0.0.1:8088"),
  headers: [["x-a", "1"]],
  signal: AbortSignal.timeout(1_000),
  fetchOptions: { headers: new Headers({ "x-b": "2" }), signal: new AbortController().signal },
};
const requestOptionsString: RequestOptions = { serverURL: "http://127.0.0.1:8088", headers: { "x-c": "3" } };
// @ts-expect-error the operation fixes the method
const withMethod: RequestOptions = { method: "GET" };

// --- the method on Mix --------------------------------------------------------------

async function viaMix(): Promise<string | undefined> {
  const mix: Mix = new Mix(sdkOptions);
  const defaultMix: Mix = new Mix();
  const base2: URL | null = defaultMix._baseURL;
  void base2;
  const value: RefreshOAuthTokensResponse = await mix.internal.refreshOAuthTokens(requestOptions);
  const message: string | undefined = value.message;
  const status: string | undefined = value.status;
  void status;
  try {
    await mix.internal.refreshOAuthTokens();
  } catch (err) {
    if (err instanceof ErrorResponse) {
      const restError: RESTError = err.error;
      const code: number = restError.code;
      const type: RESTErrorType = err.data$.error.type;
      void code;
      void type;
    } else if (err instanceof MixDefaultError) {
      const statusCode: number = err.statusCode;
      const body: string = err.body;
      const headers: Headers = err.headers;
      const contentType: string = err.contentType;
      const rawResponse: Response = err.rawResponse;
      void [statusCode, body, headers, contentType, rawResponse];
    } else if (err instanceof ResponseValidationError) {
      const rawValue: unknown = err.rawValue;
      const rawMessage: unknown = err.rawMessage;
      const pretty: string = err.pretty();
      const asMixError: MixError = err;
      void [rawValue, rawMessage, pretty, asMixError];
    } else if (err instanceof HTTPClientError) {
      const cause: unknown = err.cause;
      const name: string = err.name;
      void [cause, name];
    }
  }
  return message;
}

// --- the standalone function ------------------------------------------------------------

async function viaStandalone(): Promise<void> {
  const core: MixCore = new MixCore({ serverURL: "http://localhost:8088" });
  const promise: APIPromise<Result<RefreshOAuthTokensResponse, unknown>> = authenticationRefreshOAuthTokens(core, {
    retries: noRetry,
  });
  const res = await authenticationRefreshOAuthTokens(core);
  // @ts-expect-error value may be undefined until res.ok is checked
  void res.value.message;
  if (res.ok) {
    const value: RefreshOAuthTokensResponse = res.value;
    void value;
  } else {
    const error:
      | ErrorResponse
      | MixError
      | ResponseValidationError
      | ConnectionError
      | RequestAbortedError
      | RequestTimeoutError
      | InvalidRequestError
      | UnexpectedClientError
      | SDKValidationError = res.error;
    const message: string = error.message;
    void message;
  }

  const [result, apiCall]: [Result<RefreshOAuthTokensResponse, unknown>, APICall] = await promise.$inspect();
  void result;
  if (apiCall.status === "complete") {
    const response: Response = apiCall.response;
    const request: Request = apiCall.request;
    void [response, request];
  } else if (apiCall.status === "request-error") {
    const request: Request = apiCall.request;
    void request;
  } else {
    const status: "invalid" = apiCall.status;
    const nothing: undefined = apiCall.request;
    void [status, nothing];
  }

  const ok: boolean = await promise.then((r) => r.ok);
  void ok;
}

// --- models -------------------------------------------------------------------------------

const parsed: Result<RefreshOAuthTokensResponse, SDKValidationError> = refreshOAuthTokensResponseFromJSON('{"status":"ok"}');
if (!parsed.ok) {
  const raw: unknown = parsed.error.rawValue;
  const pretty: string = parsed.error.pretty();
  void [raw, pretty];
}

const notFound: RESTErrorType = RESTErrorType.NotFound;
const internal: "internal_error" = RESTErrorType.InternalError;
const wire: RESTErrorType = "validation_error";
// @ts-expect-error not one of the five error types
const bogus: RESTErrorType = "exploded";
const restError: RESTError = { code: 500, message: "m", type: "unauthorized" };

const everyClass: Array<new (...args: never[]) => Error> = [
  errors.MixError,
  errors.ErrorResponse,
  errors.MixDefaultError,
  errors.ResponseValidationError,
  errors.SDKValidationError,
  errors.HTTPClientError,
  errors.ConnectionError,
  errors.RequestTimeoutError,
  errors.RequestAbortedError,
  errors.InvalidRequestError,
  errors.UnexpectedClientError,
];

const connectionError: HTTPClientError = new ConnectionError("Unable to make request", { cause: new Error("boom") });
const validation: SDKValidationError = new SDKValidationError("bad", new Error("cause"), "raw");

export {
  servers,
  firstServer,
  sdkVersion,
  userAgent,
  sameHTTPClient,
  sameHTTPClientJs,
  badRetry,
  base,
  requestOptionsString,
  withMethod,
  viaMix,
  viaStandalone,
  notFound,
  internal,
  wire,
  bogus,
  restError,
  everyClass,
  connectionError,
  validation,
};
