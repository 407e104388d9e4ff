export { SDKValidationError, formatZodError } from "./index.js";
