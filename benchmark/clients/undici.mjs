// Raw undici: `request()` plus `body.json()`, through an Agent allowed as
// many connections as there are calls in flight. In list mode: the text
// and a plain `JSON.parse`, no validation. In the stream modes: the body's
// chunks through eventsource-parser, each event's data `JSON.parse`d (no
// validation), handed out by an async generator so the loop consuming it
// has the same shape as with this package. In the download mode: the body
// itself, whose chunks (Buffers) the same loop reads. In the upload mode:
// `request()` with the file as a `fs.createReadStream` body.

import { createReadStream } from "node:fs";

import { createParser } from "eventsource-parser";
import { Agent, request } from "undici";

import { runClient } from "../lib/harness.mjs";

await runClient("undici", async ({ url, listURL, streamURL, fileURL, uploadURL, concurrency, mode, stream, download, upload }) => {
  if (stream) {
    // One stream at a time: the default dispatcher, as a user would.
    return async (sessionId) => {
      const { statusCode, body } = await request(streamURL(sessionId), {
        headers: { accept: "text/event-stream" },
      });
      if (statusCode !== 200) {
        await body.dump();
        throw new Error(`GET ${streamURL(sessionId)} answered ${statusCode}`);
      }
      return serverSentEvents(body);
    };
  }
  if (download) {
    // One download at a time, through the default dispatcher, as in the
    // stream modes.
    return async (filename) => {
      const { statusCode, body } = await request(fileURL(filename));
      if (statusCode !== 200) {
        await body.dump();
        throw new Error(`GET ${fileURL(filename)} answered ${statusCode}`);
      }
      return body;
    };
  }
  if (upload) {
    return async (file) => {
      const { statusCode, body } = await request(uploadURL, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: createReadStream(file),
      });
      if (statusCode !== 201) {
        await body.dump();
        throw new Error(`POST ${uploadURL} answered ${statusCode}`);
      }
      return (await body.json()).size;
    };
  }
  const dispatcher = new Agent({ connections: concurrency });
  if (mode === "list") {
    return async () => {
      const { body } = await request(listURL, { method: "GET", headers: { accept: "application/json" }, dispatcher });
      return JSON.parse(await body.text());
    };
  }
  return async () => {
    const { body } = await request(url, {
      method: "POST",
      headers: { accept: "application/json" },
      dispatcher,
    });
    return body.json();
  };
});

/**
 * `{ event, id, data }` for each event in the body. The parser calls back
 * synchronously inside `feed`, so a chunk's events are collected and then
 * yielded one by one; the decoder keeps a UTF-8 character split across
 * chunks whole.
 */
async function* serverSentEvents(body) {
  const parsed = [];
  const parser = createParser({ onEvent: (message) => parsed.push(message) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    for (let i = 0; i < parsed.length; i++) {
      const { event, id, data } = parsed[i];
      yield { event, id, data: JSON.parse(data) };
    }
    parsed.length = 0;
  }
}
