export { ErrorResponse, ErrorResponseData } from "./index.js";
