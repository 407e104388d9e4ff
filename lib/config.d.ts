export { ServerList, SDK_METADATA, serverURLFromOptions } from "../index.js";
export type { SDKOptions } from "./sdks.js";
