import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

async function run() {
  const result = await mix.internal.refreshOAuthTokens();

  console.log(result);
}

run();
