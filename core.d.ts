import { ClientSDK } from "./lib/sdks.js";

/** The client the standalone functions take. */
export declare class MixCore extends ClientSDK {}
