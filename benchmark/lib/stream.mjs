// The event-stream modes (`GET /stream`, text/event-stream): how many
// events per second a client delivers to a `for await` loop, with its RSS
// along the way, and how long a lone event takes from the server's write
// to the loop body. The server picks the stream by the session id (the
// only parameter `streamEvents` sends): `bulk-<n>` or `trickle-<n>-<ms>`;
// see benchmark/server/src/events.rs.
//
// Each client gives an `open(sessionId)` resolving to an async iterable of
// `{ event, id, data }` (data decoded); everything below is shared, so both
// clients run the same loop.

import { deepStrictEqual, equal, ok } from "node:assert/strict";

import { mean, percentile } from "./stats.mjs";

export const STREAM_PATH = "/stream";

/** Events in the checked stream every client reads before timing. */
const CHECK_EVENTS = 2_000;

/** The decoded text fields each delta event must have (the Mix schema's required ones). */
const REQUIRED = {
  content: ["content", "type"],
  thinking: ["content", "type"],
  tool_parameter_delta: ["input", "toolCallId", "type"],
  heartbeat: ["type"],
};

/**
 * What the loop does with each event, the same for both clients: it keeps
 * the size of the text (an application would append it somewhere), which
 * also makes sure the decoded strings are really there.
 */
function textUnits(event) {
  switch (event.event) {
    case "content":
    case "thinking":
      return event.data.content.length;
    case "tool_parameter_delta":
      return event.data.input.length;
    default:
      return 0;
  }
}

/** The last event's `events=<n> units=<u> bytes=<b>`: what the server sent. */
function summary(last) {
  const match = last?.event === "complete" && /^events=(\d+) units=(\d+) bytes=(\d+)$/.exec(last.data.content);
  if (!match) throw new Error(`the stream did not end with its complete event: ${JSON.stringify(last)}`);
  return { events: Number(match[1]), units: Number(match[2]), bytes: Number(match[3]) };
}

/**
 * Nothing is timed until one whole stream is known to arrive intact: every
 * event in order, with the Mix schema's fields, and exactly the text the
 * server sent (in JavaScript string length).
 */
export async function checkStream(open) {
  const session = `bulk-${CHECK_EVENTS}`;
  const events = [];
  for await (const event of await open(session)) events.push(event);
  equal(events.length, CHECK_EVENTS + 2, "event count (connected + deltas + complete)");
  const first = events[0];
  deepStrictEqual(
    { event: first.event, id: first.id, data: { ...first.data } },
    { event: "connected", id: "0", data: { sessionId: session } },
    "unexpected first event",
  );
  let units = 0;
  for (let i = 1; i <= CHECK_EVENTS; i++) {
    const event = events[i];
    equal(event.id, String(i), "event ids in order");
    equal(event.retry, undefined, "no retry field was sent");
    const fields = REQUIRED[event.event];
    ok(fields, `unexpected event type ${event.event}`);
    for (const field of fields) equal(typeof event.data[field], "string", `${event.event}.data.${field}`);
    units += textUnits(event);
  }
  const sent = summary(events.at(-1));
  equal(sent.events, CHECK_EVENTS);
  equal(units, sent.units, "decoded text length differs from what the server sent");
}

/**
 * The measured loop, also run for the warm-up so it is the same optimised
 * function both times. RSS is read at the first event and every `mark`
 * events (`memoryUsage.rss()` is one system call, unlike `memoryUsage()`).
 */
async function consume(stream, mark) {
  let count = 0;
  let units = 0;
  let last;
  let rssStart = 0;
  let rssMax = 0;
  for await (const event of stream) {
    if (count === 0) rssStart = rssMax = process.memoryUsage.rss();
    count++;
    units += textUnits(event);
    last = event;
    if (count % mark === 0) rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }
  return { count, units, last, rssStart, rssMax };
}

/**
 * `events` events as fast as the server can write them, timed from the
 * call that opens the stream to the end of the loop; RSS at the loop's
 * first event, its highest sample during the loop, and right after it.
 *
 * The warm-up stream is as long as the timed one (config.mjs): while V8
 * is still optimising the loop and sizing its heap, RSS swings by 20–35 MB
 * for undici and settles again. Even after it, V8 grows the heap in steps
 * of about 16 MB at moments of its choosing, so one run's RSS growth is
 * noisy at this scale for any JavaScript consumer; the report sets it
 * beside undici's (see targets in report.mjs) rather than against zero.
 */
async function streamThroughput(open, { warmup, events, mark }) {
  await consume(await open(`bulk-${warmup}`), mark);
  const start = performance.now();
  const run = await consume(await open(`bulk-${events}`), mark);
  const seconds = (performance.now() - start) / 1e3;
  const rssEnd = process.memoryUsage.rss();
  const sent = summary(run.last);
  equal(run.count, events + 2, "event count");
  equal(run.units, sent.units, "decoded text length differs from what the server sent");
  const mb = (bytes) => bytes / 2 ** 20;
  return {
    events: run.count,
    seconds,
    eventsPerSec: run.count / seconds,
    bodyMB: mb(sent.bytes),
    mbPerSec: mb(sent.bytes) / seconds,
    rssStartMB: mb(run.rssStart),
    rssEndMB: mb(rssEnd),
    rssGrowthMB: mb(rssEnd - run.rssStart),
    rssMaxGrowthMB: mb(Math.max(run.rssMax, rssEnd) - run.rssStart),
  };
}

/**
 * One `content` event every `intervalMs`; each carries the server's
 * CLOCK_MONOTONIC time (ns) of writing it at the start of its text. The
 * loop body reads the same clock (`process.hrtime.bigint()` on Linux) first
 * thing. The first `warmup` events are not counted.
 */
async function streamLatency(open, { warmup, events, intervalMs }) {
  const total = warmup + events;
  const samples = [];
  let seen = 0;
  let last;
  for await (const event of await open(`trickle-${total}-${intervalMs}`)) {
    const now = process.hrtime.bigint();
    if (event.event === "content") {
      const text = event.data.content;
      const written = BigInt(text.slice(0, text.indexOf(" ")));
      if (++seen > warmup) samples.push(Number(now - written) / 1e3);
    }
    last = event;
  }
  equal(seen, total, "content events received");
  equal(summary(last).events, total);
  samples.sort((a, b) => a - b);
  return {
    events: samples.length,
    warmup,
    intervalMs,
    p50Us: percentile(samples, 0.5),
    p90Us: percentile(samples, 0.9),
    p99Us: percentile(samples, 0.99),
    maxUs: samples.at(-1),
    meanUs: mean(samples),
  };
}

export const STREAM_MODES = { streamThroughput, streamLatency };
