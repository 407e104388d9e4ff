import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const files = await mix.files.list({ id: "session-1" });
console.log(files.map((f) => `${f.name} (${f.size} bytes)`));

// An upload (a file on disk would be `await fs.openAsBlob(path)`).
const info = await mix.files.upload({
  id: "session-1",
  requestBody: { file: { fileName: "notes.txt", content: new TextEncoder().encode("Remember the milk") } },
});
console.log("uploaded:", info.name);
