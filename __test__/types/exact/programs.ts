// Typical user programs over several namespaces, checked under `strict` and
// `exactOptionalPropertyTypes` (tsc -p __test__/types/exact). Never run.
// Lines marked @ts-expect-error must stay errors.

import { Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { sessionsCreate } from "mix-typescript-sdk/funcs/sessionsCreate.js";
import { messagesGetHistory } from "mix-typescript-sdk/funcs/messagesGetHistory";
import { streamingStreamEvents } from "mix-typescript-sdk/funcs/streamingStreamEvents.js";
import { EventStream } from "mix-typescript-sdk/lib/event-streams.js";
import { filesUpload } from "mix-typescript-sdk/funcs/filesUpload.js";
import { openAsBlob } from "node:fs";
import * as errors from "mix-typescript-sdk/models/errors";
import * as models from "mix-typescript-sdk/models";
import * as operations from "mix-typescript-sdk/models/operations";
import { SessionType, type SessionData } from "mix-typescript-sdk/models/sessiondata.js";
import { PromptMode, type CreateSessionRequest } from "mix-typescript-sdk/models/operations/createsession.js";

export async function sessions(mix: Mix): Promise<string[]> {
  const list: SessionData[] = await mix.sessions.list({ includeSubagents: true });
  const none: models.SessionData[] = await mix.sessions.list();
  const created: SessionData = await mix.sessions.create({
    title: "Research",
    promptMode: PromptMode.Append,
    callbacks: [{ toolName: "bash", type: operations.CreateSessionType.BashScript, bashTimeout: 1000 }],
  });
  const when: Date = created.createdAt;
  const kind: SessionType = created.sessionType;
  const gone: void = await mix.sessions.delete({ id: created.id });
  const exported: operations.ExportSessionResponse = await mix.sessions.exportSession({ id: created.id });
  const headers: { [k: string]: string[] } = exported.headers;
  const messages: models.ExportMessage[] = exported.result.messages;
  void gone;
  void headers;
  void messages;
  void when;
  void kind;
  return [...list, ...none].map((s) => s.id);
}

export async function messagesAndOthers(mix: Mix): Promise<void> {
  const sent: operations.SendMessageResponse = await mix.messages.send({
    id: "s",
    requestBody: { text: "hello", planMode: false },
  });
  const history: models.BackendMessage[] = await mix.messages.getHistory({ limit: 10 });
  const prefs: operations.GetPreferencesResponse = await mix.preferences.get();
  const maybe: operations.Preferences | null | undefined = prefs.preferences;
  const granted: boolean | undefined = (await mix.permissions.grant({ id: "p" })).granted;
  const health: operations.GetOAuthHealthResponse = await mix.health.getOAuthHealth();
  const status: operations.Status = health.status;
  const tools: operations.GetToolsStatusResponse = await mix.tools.getToolsStatus();
  const info: string = (await mix.system.getSystemInfo()).storageBasePath;
  const files: models.FileInfo[] = await mix.files.list({ id: "s" });
  const refreshed: operations.RefreshOAuthTokensResponse = await mix.internal.refreshOAuthTokens({ timeoutMs: 500 });
  void [sent, history, maybe, granted, status, tools, info, files, refreshed];

  // @ts-expect-error: `id` is required
  await mix.sessions.get({});
  // @ts-expect-error: not a PromptMode
  await mix.sessions.create({ title: "x", promptMode: "loud" });
  // @ts-expect-error: exactOptionalPropertyTypes: an optional field is not `| null`
  await mix.sessions.create({ title: "x", customSystemPrompt: null });
}

export async function standalone(core: MixCore): Promise<number> {
  const request: CreateSessionRequest = { title: "x" };
  const result = await sessionsCreate(core, request, { retries: { strategy: "none" } });
  if (!result.ok) {
    if (result.error instanceof errors.ErrorResponse) return result.error.error.code;
    if (result.error instanceof errors.SDKValidationError) return result.error.pretty().length;
    return 0;
  }
  const history = await messagesGetHistory(core);
  return result.value.userMessageCount + (history.ok ? history.value.length : 0);
}

export async function streaming(mix: Mix, core: MixCore): Promise<string> {
  const res: operations.StreamEventsResponse = await mix.streaming.streamEvents({ sessionId: "s", lastEventID: "7" });
  let text = "";
  for await (const event of res.result) {
    // The union narrows by `event`.
    if (event.event === "content") text += event.data.content;
    if (event.event === "complete") {
      const done: boolean = event.data.done;
      if (done) break;
    }
    if (event.event === "tool_execution_complete") {
      const ok: boolean = event.data.success;
      void ok;
    }
    const id: string = event.id;
    const retry: number | undefined = event.retry;
    void id;
    void retry;
  }
  const reader: ReadableStreamDefaultReader<models.SSEEventStream> = res.result.getReader();
  reader.releaseLock();
  await res.result.cancel();
  const result = await streamingStreamEvents(core, { sessionId: "s" });
  if (result.ok) {
    const stream: EventStream<models.SSEEventStream> = result.value.result;
    void stream;
  }
  // @ts-expect-error: sessionId is required
  await mix.streaming.streamEvents({});
  return text;
}

export async function fileTransfers(mix: Mix, core: MixCore, bytes: Uint8Array, stream: ReadableStream<Uint8Array>): Promise<number> {
  const blob = await openAsBlob("/tmp/photo.png");
  const a: models.FileInfo = await mix.files.upload({ id: "s", requestBody: { file: blob } });
  const b: models.FileInfo = await mix.files.upload({ id: "s", requestBody: { file: new File(["x"], "a.txt") } });
  const file: operations.FileT = { fileName: "clip.mp4", content: stream };
  const c: models.FileInfo = await mix.files.upload({ id: "s", requestBody: { file } });
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "b.bin", content: bytes.buffer as ArrayBuffer } } });
  const result = await filesUpload(core, { id: "s", requestBody: { file: { fileName: "c.json", content: bytes } } });
  if (result.ok) void result.value.name;
  const body: ReadableStream<Uint8Array> = await mix.files.get({ id: "s", filename: "a.png" });
  void body;
  // @ts-expect-error: a string is not a file
  await mix.files.upload({ id: "s", requestBody: { file: "hello" } });
  // @ts-expect-error: content must be binary
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "x", content: "text" } } });
  return a.size + b.size + c.size;
}
