// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./authenticationRefreshOAuthTokens.js";

export const { authenticationRefreshOAuthTokens } = cjs;
