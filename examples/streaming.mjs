import { Mix } from "mix-typescript-sdk";

const mix = new Mix();

// Follow a session live; stop at the end of the answer.
const { result } = await mix.streaming.streamEvents({ sessionId: "ses_example" });
for await (const event of result) {
  if (event.event === "content") process.stdout.write(event.data.content);
  if (event.event === "complete") break;
}
console.log("stream closed");
