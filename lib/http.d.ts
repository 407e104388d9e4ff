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
