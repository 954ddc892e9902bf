// The live throughput chart: two polylines (in, out) on an SVG, drawn by hand.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 900;
const HEIGHT = 260;
const LEFT = 48;
const BOTTOM = 22;
const TOP = 10;

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A round upper bound of the axis at or above `max` (1, 2, 5 x 10^n). */
function niceCeiling(max) {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Draws `points` (`{ at, in, out }`, oldest first, one per second) into the `<svg>` `chart`. */
export function drawThroughput(chart, points) {
  chart.replaceChildren();
  const top = niceCeiling(Math.max(1, ...points.map((p) => Math.max(p.in, p.out))));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - BOTTOM - TOP;
  const x = (index) => LEFT + (points.length <= 1 ? 0 : (index / (points.length - 1)) * plotWidth);
  const y = (value) => TOP + plotHeight - (value / top) * plotHeight;

  for (const fraction of [0, 0.5, 1]) {
    const value = top * fraction;
    chart.append(svg('line', { class: 'grid', x1: LEFT, x2: WIDTH, y1: y(value), y2: y(value) }));
    chart.append(svg('text', { class: 'axis', x: LEFT - 6, y: y(value) + 4, 'text-anchor': 'end' }, Number.isInteger(value) ? String(value) : value.toFixed(1)));
  }
  const seconds = points.length;
  for (const minutesAgo of [0, 1, 2, 3, 4, 5]) {
    const index = seconds - 1 - minutesAgo * 60;
    if (index < 0) continue;
    chart.append(svg('text', { class: 'axis', x: x(index), y: HEIGHT - 6, 'text-anchor': minutesAgo === 0 ? 'end' : 'middle' }, minutesAgo === 0 ? 'now' : `-${minutesAgo}m`));
  }
  for (const series of ['in', 'out']) {
    const path = points.map((point, index) => `${x(index).toFixed(1)},${y(point[series]).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { class: `series ${series}`, 'data-series': series, points: path }));
  }
}
