import type { SDKOptions } from "../lib/sdks.js";
import type { RetryConfig } from "../lib/retries.js";
import type { RequestInput } from "../lib/http.js";

export type HookContext = {
  baseURL: string | URL;
  operationID: string;
  oAuth2Scopes: string[] | null;
  securitySource?: any | (() => Promise<any>);
  retryConfig: RetryConfig;
  resolvedSecurity: unknown | null;
  options: SDKOptions;
};
export type Awaitable<T> = T | Promise<T>;
export type SDKInitOptions = { baseURL: URL | null; client: unknown };
export type BeforeCreateRequestContext = HookContext & {};
export type BeforeRequestContext = HookContext & {};
export type AfterSuccessContext = HookContext & {};
export type AfterErrorContext = HookContext & {};
export interface SDKInitHook {
  sdkInit: (opts: SDKOptions) => SDKOptions;
}
export interface BeforeCreateRequestHook {
  beforeCreateRequest: (hookCtx: BeforeCreateRequestContext, input: RequestInput) => RequestInput;
}
export interface BeforeRequestHook {
  beforeRequest: (hookCtx: BeforeRequestContext, request: Request) => Awaitable<Request>;
}
export interface AfterSuccessHook {
  afterSuccess: (hookCtx: AfterSuccessContext, response: Response) => Awaitable<Response>;
}
export interface AfterErrorHook {
  afterError: (
    hookCtx: AfterErrorContext,
    response: Response | null,
    error: unknown,
  ) => Awaitable<{ response: Response | null; error: unknown }>;
}
export interface Hooks {
  registerSDKInitHook(hook: SDKInitHook): void;
  registerBeforeCreateRequestHook(hook: BeforeCreateRequestHook): void;
  registerBeforeRequestHook(hook: BeforeRequestHook): void;
  registerAfterSuccessHook(hook: AfterSuccessHook): void;
  registerAfterErrorHook(hook: AfterErrorHook): void;
}
export type Hook = SDKInitHook | BeforeCreateRequestHook | BeforeRequestHook | AfterSuccessHook | AfterErrorHook;
