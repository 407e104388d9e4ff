"use strict";
// RFCDate: a calendar date (YYYY-MM-DD, UTC), as the original's.

const DATE = /^\d{4}-\d{2}-\d{2}$/;

class RFCDate {
  #serialized;

  static today() {
    return new RFCDate(new Date());
  }

  constructor(date) {
    if (typeof date === "string" && !DATE.test(date)) {
      throw new RangeError("RFCDate: date strings must be in the format YYYY-MM-DD: " + date);
    }
    const value = new Date(date);
    if (Number.isNaN(+value)) throw new RangeError("RFCDate: invalid date provided: " + date);
    this.#serialized = value.toISOString().slice(0, 10);
    if (!DATE.test(this.#serialized)) {
      throw new TypeError(`RFCDate: failed to build valid date with given value: ${date} serialized to ${this.#serialized}`);
    }
  }

  toJSON() {
    return this.toString();
  }

  toString() {
    return this.#serialized;
  }
}

module.exports = { RFCDate };
