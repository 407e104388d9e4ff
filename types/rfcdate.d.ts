export declare class RFCDate {
  static today(): RFCDate;
  constructor(date: Date | string);
  toJSON(): string;
  toString(): string;
}
