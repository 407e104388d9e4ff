export { ResponseValidationError } from "./index.js";
