import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

// Which providers are connected, and how.
const status = await mix.authentication.getAuthStatus();
console.log(status);
