// The bare window of the start-up benchmark: interactive as soon as loaded.
window.addEventListener("DOMContentLoaded", () => window.__TAURI__.core.invoke("ui_ready"));
