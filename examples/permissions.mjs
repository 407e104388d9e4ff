import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const result = await mix.permissions.grant({ id: "permission-1" });
console.log(result);
