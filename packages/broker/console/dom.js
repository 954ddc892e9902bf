// Builds DOM nodes from data without ever parsing it as HTML: text goes in as text nodes.

/**
 * An element `tag` with `attributes` (strings set as attributes; `dataset` an object of data-*;
 * `on` an object of event listeners) and `children` (strings become text nodes; null is skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'on') for (const [event, listener] of Object.entries(value)) element.addEventListener(event, listener);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** A table row of cells (a cell is a string, a node, or an array of them). */
export function row(attributes, cells) {
  return h('tr', attributes, cells.map((cell) => h('td', {}, cell)));
}

/** A row spanning the whole table, saying it is empty. */
export function emptyRow(columns, text) {
  return h('tr', { class: 'empty' }, h('td', { colspan: columns }, text));
}

/** An ISO time shortened for a table: date and time to the millisecond, UTC. */
export function shortTime(iso) {
  return iso ? iso.replace('T', ' ').replace('Z', '') : '';
}

/** A body preview for a table cell: text, or a note that it is binary. */
export function bodyCell(message) {
  const text = message.bodyEncoding === 'utf8' ? message.body : `(binary, base64) ${message.body}`;
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return h('span', { class: 'body', title: `${message.bodySize} bytes` }, shown);
}
