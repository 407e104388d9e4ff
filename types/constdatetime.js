"use strict";
// The original's only export here, `constDateTime`, returns a zod schema;
// like the models' schemas it is not part of this package (README).

module.exports = {};
