export type Fetcher = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

export type HTTPClientOptions = {
  fetcher?: Fetcher;
};

export type BeforeRequestHook = (req: Request) => Request | void | Promise<Request | void>;
export type RequestErrorHook = (err: unknown, req: Request) => void | Promise<void>;
export type ResponseHook = (res: Response, req: Request) => void | Promise<void>;

export declare class HTTPClient {
  constructor(options?: HTTPClientOptions);
  request(request: Request): Promise<Response>;
  addHook(hook: "beforeRequest", fn: BeforeRequestHook): this;
  addHook(hook: "requestError", fn: RequestErrorHook): this;
  addHook(hook: "response", fn: ResponseHook): this;
  removeHook(hook: "beforeRequest", fn: BeforeRequestHook): this;
  removeHook(hook: "requestError", fn: RequestErrorHook): this;
  removeHook(hook: "response", fn: ResponseHook): this;
  clone(): HTTPClient;
}

export type Awaitable<T> = T | Promise<T>;
export type RequestInput = { url: URL; options?: RequestInit | undefined };
export type StatusCodePredicate = number | string | (number | string)[];

// Whether a response's content type matches `pattern`: "*", any type, a type family ("text/*"), a media type.
export declare function matchContentType(response: Response, pattern: string): boolean;
/** Whether a response's status is one of `codes` (`404`, `"4XX"`, `"default"`). */
export declare function matchStatusCode(response: Response, codes: StatusCodePredicate): boolean;
export declare function matchResponse(response: Response, code: StatusCodePredicate, contentTypePattern: string): boolean;
/** The original's heuristics for what a fetcher threw. */
export declare function isConnectionError(err: unknown): boolean;
export declare function isTimeoutError(err: unknown): boolean;
export declare function isAbortError(err: unknown): boolean;
