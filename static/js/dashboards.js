// Charts for the benchmarking dashboards, drawn with Chart.js (served from node_modules/chart.js
// through Django's static files, never from a CDN).
//
// Progressive enhancement: each chart's figures are in the data table that follows it, and the
// chart's <figure> stays hidden unless this script draws it. The JSON next to each chart is made
// from that table's cells, so a withheld figure ("c") is never in it.
//
// Accessibility:
// - colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies), and each
//   series also differs by line dash and point shape (lines) or fill pattern (bars), so no
//   meaning rests on colour alone; lines and markers keep at least 3:1 contrast on white;
// - the chart is a focusable region: the left and right arrow keys (Home, End) step through the
//   years or groups, showing the tooltip and announcing the figures in a polite live region;
// - the canvas carries a text alternative (role="img" with the plain-language summary).

const Chart = window.Chart;

const STYLE = {
  school: { colour: "#0072b2", dash: [], point: "circle", pattern: null },
  vc: { colour: "#d55e00", dash: [6, 4], point: "triangle", pattern: "stripes" },
  group: { colour: "#9e4a7c", dash: [4, 2, 1, 2], point: "star", pattern: "lines" },
  authority: { colour: "#007a5a", dash: [2, 3], point: "rect", pattern: "dots" },
  collaborative: { colour: "#8a6d00", dash: [8, 3], point: "crossRot", pattern: "vlines" },
  national: { colour: "#1a1a1a", dash: [10, 3, 2, 3], point: "rectRot", pattern: "cross" },
};
const BAND_FILL = "rgba(213, 94, 0, 0.14)";
const TEXT = "#1a1a1a";

function fillPattern(kind, colour) {
  if (!kind) {
    return colour;
  }
  const size = 8;
  const tile = document.createElement("canvas");
  tile.width = size;
  tile.height = size;
  const ctx = tile.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2;
  if (kind === "stripes") {
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.moveTo(-2, 2);
    ctx.lineTo(2, -2);
    ctx.moveTo(size - 2, size + 2);
    ctx.lineTo(size + 2, size - 2);
    ctx.stroke();
  } else if (kind === "lines") {
    ctx.beginPath();
    ctx.moveTo(0, size / 2);
    ctx.lineTo(size, size / 2);
    ctx.stroke();
  } else if (kind === "vlines") {
    ctx.beginPath();
    ctx.moveTo(size / 2, 0);
    ctx.lineTo(size / 2, size);
    ctx.stroke();
  } else if (kind === "dots") {
    ctx.beginPath();
    ctx.arc(size / 2, size / 2, 2, 0, 2 * Math.PI);
    ctx.fill();
  } else {
    ctx.beginPath();
    ctx.moveTo(0, size / 2);
    ctx.lineTo(size, size / 2);
    ctx.moveTo(size / 2, 0);
    ctx.lineTo(size / 2, size);
    ctx.stroke();
  }
  return ctx.createPattern(tile, "repeat");
}

function formatValue(value, unit) {
  if (value === null || value === undefined) {
    return "not shown";
  }
  if (unit === "%") {
    return `${value.toFixed(1)}%`;
  }
  return Math.round(value).toLocaleString("en-GB");
}

// PNG downloads get a white background (the canvas itself is transparent).
const whiteBackground = {
  id: "portalWhiteBackground",
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

function datasets(spec) {
  const out = [];
  if (spec.band) {
    out.push({
      label: `${spec.band.label} (low)`,
      data: spec.band.low,
      borderColor: "transparent",
      backgroundColor: "transparent",
      pointRadius: 0,
      pointHoverRadius: 0,
      portalBand: true,
      portalHideLegend: true,
      fill: false,
      order: 10,
    });
    out.push({
      label: spec.band.label,
      data: spec.band.high,
      borderColor: "transparent",
      backgroundColor: BAND_FILL,
      pointRadius: 0,
      pointHoverRadius: 0,
      portalBand: true,
      fill: "-1",
      order: 10,
    });
  }
  for (const series of spec.series) {
    const style = STYLE[series.role] || STYLE.school;
    if (spec.type === "bar") {
      out.push({
        label: series.label,
        data: series.data,
        backgroundColor: fillPattern(style.pattern, style.colour),
        borderColor: style.colour,
        borderWidth: 2,
      });
    } else {
      out.push({
        label: series.label,
        data: series.data,
        borderColor: style.colour,
        backgroundColor: style.colour,
        borderDash: style.dash,
        borderWidth: 2.5,
        pointStyle: style.point,
        pointRadius: spec.pointRadius || 5,
        pointHoverRadius: (spec.pointRadius || 5) + 2,
        spanGaps: false,
        fill: false,
        order: 1,
      });
    }
  }
  return out;
}

function draw(figure) {
  const dataNode = document.getElementById(figure.dataset.chart);
  if (!dataNode || !Chart) {
    return;
  }
  const spec = JSON.parse(dataNode.textContent);
  if (!spec || !spec.labels || !spec.labels.length) {
    return;
  }
  figure.hidden = false;
  const frame = figure.querySelector(".portal-chart__frame");
  const canvas = figure.querySelector("canvas");
  const status = figure.querySelector("[data-chart-status]");
  const font = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = font;
  Chart.defaults.color = TEXT;

  const chart = new Chart(canvas, {
    type: spec.type === "bar" ? "bar" : "line",
    data: { labels: spec.labels, datasets: datasets(spec) },
    plugins: [whiteBackground],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: {
          position: "bottom",
          labels: {
            usePointStyle: spec.type !== "bar",
            filter: (item, data) => !data.datasets[item.datasetIndex].portalHideLegend,
          },
        },
        tooltip: {
          filter: (item) => !item.dataset.portalBand,
          callbacks: {
            label: (item) => `${item.dataset.label}: ${formatValue(item.raw, spec.unit)}`,
          },
        },
      },
      scales: {
        // A long series (the readiness measures' 48 weeks) may ask for labels to be skipped to fit.
        x: { ticks: { color: TEXT, autoSkip: Boolean(spec.skipLabels), maxRotation: 45 }, grid: { display: false } },
        y: {
          beginAtZero: spec.type === "bar",
          ticks: { color: TEXT, callback: (v) => formatValue(v, spec.unit) },
          title: { display: true, text: spec.axis || (spec.unit === "%" ? "Per cent of leavers" : "Tariff points"), color: TEXT },
        },
      },
    },
  });

  // Keyboard: step through the categories with the arrow keys.
  let index = -1;
  const visible = () => chart.data.datasets.map((d, i) => ({ d, i })).filter(({ d }) => !d.portalBand);
  function show(i) {
    index = Math.max(0, Math.min(spec.labels.length - 1, i));
    const active = visible().map(({ i: datasetIndex }) => ({ datasetIndex, index }));
    chart.setActiveElements(active);
    chart.tooltip.setActiveElements(active, { x: 0, y: 0 });
    chart.update();
    const parts = spec.series.map((s) => `${s.label} ${formatValue(s.data[index], spec.unit)}`);
    if (spec.band) {
      parts.push(`${spec.band.label} ${formatValue(spec.band.low[index], spec.unit)} to ${formatValue(spec.band.high[index], spec.unit)}`);
    }
    status.textContent = `${spec.labels[index]}: ${parts.join("; ")}.`;
  }
  frame.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: spec.labels.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      show(index < 0 && event.key === "ArrowLeft" ? spec.labels.length - 1 : moves[event.key]);
    } else if (event.key === "Escape") {
      chart.setActiveElements([]);
      chart.tooltip.setActiveElements([], { x: 0, y: 0 });
      chart.update();
      status.textContent = "";
    }
  });
  frame.addEventListener("blur", () => {
    chart.setActiveElements([]);
    chart.tooltip.setActiveElements([], { x: 0, y: 0 });
    chart.update();
  });

  const download = figure.querySelector("[data-chart-download]");
  if (download) {
    download.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = chart.toBase64Image("image/png", 1);
      link.download = `${figure.dataset.filename || "chart"}.png`;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }
}

document.querySelectorAll("figure.portal-chart[data-chart]").forEach((figure) => {
  try {
    draw(figure);
  } catch (error) {
    // A chart that cannot be drawn stays hidden; its table is still there.
    figure.hidden = true;
    console.error(error);
  }
});
