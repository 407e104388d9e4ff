export { MixError } from "./index.js";
