// ESM entry: the same objects as the CommonJS module beside it.
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./encodings.js");

export const { EncodingError, encodeMatrix, encodeLabel, encodeForm, encodeSpaceDelimited, encodePipeDelimited, encodeBodyForm, encodeDeepObject, encodeDeepObjectObject, encodeJSON, encodeSimple, queryJoin, queryEncoder, encodeJSONQuery, encodeFormQuery, encodeSpaceDelimitedQuery, encodePipeDelimitedQuery, encodeDeepObjectQuery, appendForm } = cjs;
