import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

const sent = await mix.messages.send({ id: "session-1", requestBody: { text: "Summarise the changes" } });
console.log(sent);

const history = await mix.messages.getHistory({ limit: 10 });
console.log(`${history.length} message(s)`);
