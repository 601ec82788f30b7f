// The one door to the app: a command by name, its answer, or the API's
// error body ({code, message, message_en, field, retry_after_seconds,
// tries_left}) as the rejection.
export const invoke = (command, args) => window.__TAURI__.core.invoke(command, args);
