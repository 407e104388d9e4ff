/** Error type. */
export declare const RESTErrorType: {
  readonly BadRequest: "bad_request";
  readonly NotFound: "not_found";
  readonly InternalError: "internal_error";
  readonly Unauthorized: "unauthorized";
  readonly ValidationError: "validation_error";
};
export type RESTErrorType = (typeof RESTErrorType)[keyof typeof RESTErrorType];

export type RESTError = {
  /** HTTP status code */
  code: number;
  /** Error message */
  message: string;
  /** Error type */
  type: RESTErrorType;
};
