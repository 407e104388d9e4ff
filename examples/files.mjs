import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const files = await mix.files.list({ id: "session-1" });
console.log(files.map((f) => `${f.name} (${f.size} bytes)`));
