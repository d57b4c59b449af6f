// Insight Portal's own script, loaded as a module after the design system's design-system.js
// (module scripts run in document order, so window.DS is defined here). Pages work without it:
// the menu then opens through the design system's checkbox fallback and forms post normally.

// Start the Scottish Government Design System components (mobile menu, skip links, ...).
if (window.DS && typeof window.DS.initAll === "function") {
  window.DS.initAll();
}

// Wide tables sit in a region with tabindex="0" so keyboard users can scroll them. When a table
// fits, that tab stop does nothing useful, so drop it; put it back when the table overflows.
function updateScrollRegion(region) {
  if (region.scrollWidth > region.clientWidth + 1) {
    region.setAttribute("tabindex", "0");
  } else {
    region.removeAttribute("tabindex");
  }
}

const regions = document.querySelectorAll(".portal-table-scroll");
if ("ResizeObserver" in window) {
  const observer = new ResizeObserver((entries) => entries.forEach((e) => updateScrollRegion(e.target)));
  regions.forEach((region) => observer.observe(region));
} else {
  regions.forEach(updateScrollRegion);
}
