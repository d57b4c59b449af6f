// Start the Scottish Government Design System components (mobile menu, skip links, ...).
// design-system.js is an ES module loaded just before this one; module scripts run in order,
// so window.DS is defined here. Pages work without JavaScript: the menu then opens through the
// design system's checkbox fallback and every form posts normally.
if (window.DS && typeof window.DS.initAll === "function") {
  window.DS.initAll();
}
