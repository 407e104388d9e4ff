import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";

// Use `MixCore` for best tree-shaking performance.
// You can create one instance of it to use across an application.
const mix = new MixCore();

async function run() {
  const res = await authenticationRefreshOAuthTokens(mix);
  if (res.ok) {
    const { value: result } = res;
    console.log(result);
  } else {
    console.log("authenticationRefreshOAuthTokens failed:", res.error);
  }
}

run();
