// A valid SessionData as a server sends it, for the specs that need one.

export const SESSION = Object.freeze({
  id: "s1",
  title: "T",
  sessionType: "main",
  createdAt: "2025-01-02T03:04:05+02:00",
  assistantMessageCount: 1,
  userMessageCount: 2,
  toolCallCount: 3,
  promptTokens: 4,
  completionTokens: 5,
  cost: 0.5,
});
