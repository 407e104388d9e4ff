import { Mix } from "mix-typescript-sdk";
import { PromptMode } from "mix-typescript-sdk/models/operations";

const mix = new Mix();

const session = await mix.sessions.create({ title: "Release notes", promptMode: PromptMode.Default });
console.log(session.id, session.createdAt instanceof Date);

const sessions = await mix.sessions.list({ includeSubagents: false });
console.log(`${sessions.length} session(s)`);
