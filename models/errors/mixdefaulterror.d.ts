export { MixDefaultError } from "./index.js";
