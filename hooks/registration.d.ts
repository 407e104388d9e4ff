import type { Hooks } from "./types.js";
export declare function initHooks(hooks: Hooks): void;
