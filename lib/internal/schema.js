"use strict";
// Schema problems found by the Rust decoder, presented the way the original
// SDK presents zod's: the same issue objects, message and pretty layout.

/**
 * The cause of a validation error: the list of schema problems, shaped like
 * zod issues (the original's cause is a ZodError), with the same message.
 */
class SchemaValidationError extends Error {
  constructor(issues) {
    super(JSON.stringify(issues, null, 2));
    this.name = "ZodError";
    this.issues = issues;
  }

  // As zod's: `${error}` is the issue list alone, which the messages of
  // SDKValidationError (`Input validation failed: [...]`) are made of.
  toString() {
    return this.message;
  }
}

function isSchemaError(err) {
  return err instanceof SchemaValidationError;
}

/** The original's pretty layout of validation issues. */
function formatIssues(issues) {
  const lines = [];
  const headline = issues.length === 1 ? "1 issue found" : `${issues.length} issues found`;
  if (issues.length) lines.push(`┌ ${headline}:`);
  for (const issue of issues) {
    const path = issue.path.length ? `<root>.${issue.path.join(".")}` : "<root>";
    lines.push(`│ • [${path}]: ${issue.message} (${issue.code})`);
    if (issue.code === "invalid_enum_value") {
      lines.push(`│     Allowed: ${issue.options.join(", ")}`);
      lines.push(`│         Got: ${issue.received}`);
    } else if (issue.code === "invalid_type") {
      lines.push(`│     Want: ${issue.expected}`);
      lines.push(`│      Got: ${issue.received}`);
    }
  }
  if (issues.length) lines.push("└─*");
  return lines.join("\n");
}

module.exports = { SchemaValidationError, isSchemaError, formatIssues };
