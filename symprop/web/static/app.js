// The self-check page: loads Pyodide and the wheels beside this file (no CDN), then
// calls symprop.web.browser, which answers in JSON. Text from a problem or answer file
// is only ever written with textContent; math is typeset by KaTeX.
"use strict";

const $ = (id) => document.getElementById(id);
const SECTIONS = {forward: "Forward pass", loss: "Loss", backward: "Backward pass",
                  gradients: "Gradients", update: "Update", final: "After the update"};
const VERDICTS = {exact: "✓ exact", rounded: "✓ correctly rounded",
                  carried_forward: "→ carried forward", wrong: "✗ wrong"};
const timings = (window.symprop_timings = {});
let api = null, examples = [], steps = [], shown = 0;

// symprop runs here as on the desktop: python-flint (its fast path, which the page does not
// use) has no Pyodide build and is optional; fcntl and a 64-bit decimal are not needed.
const BOOT = `
import symprop.web.browser
`;

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function showError(id, text) {
  $(id).textContent = text || "";
  $(id).hidden = !text;
}

function call(name, ...args) {
  return JSON.parse(api[name](...args));
}

const pause = () => new Promise((r) => setTimeout(r, 30));  // let the page repaint

// -- math and the Markdown of solution_markdown -------------------------------------

function math(tex, display) {
  const el = document.createElement(display ? "div" : "span");
  katex.render(tex, el, {displayMode: !!display, throwOnError: false});
  return el;
}

const UNESCAPE = {"&amp;": "&", "&lt;": "<", "&gt;": ">"};
const plain = (s) => s.replace(/\\([\\`*_{}\[\]#+!|$~])/g, "$1")
                      .replace(/&(amp|lt|gt);/g, (m) => UNESCAPE[m]);

// One paragraph: $math$, **bold**, `code` and escaped text (md() in render/jupyter.py).
function inline(text, parent) {
  const token = /\$((?:\\.|[^$\\])+)\$|\*\*|`([^`]*)`|((?:\\.|[^$*`\\])+|.)/g;
  let target = parent, m;
  while ((m = token.exec(text)) !== null) {
    if (m[1] !== undefined) target.appendChild(math(m[1], false));
    else if (m[0] === "**") {
      if (target === parent) target = parent.appendChild(document.createElement("strong"));
      else target = parent;
    } else if (m[2] !== undefined) {
      target.appendChild(document.createElement("code")).textContent = m[2];
    } else target.appendChild(document.createTextNode(plain(m[3])));
  }
}

function block(text, parent) {
  if (text.startsWith("$$")) parent.appendChild(math(text.slice(2, -2), true));
  else if (text.startsWith("#")) {
    const level = text.match(/^#+/)[0].length;
    parent.appendChild(document.createElement(`h${level}`)).textContent = plain(text.replace(/^#+ /, ""));
  } else inline(text, parent.appendChild(document.createElement("p")));
}

// The problem's displayed equations (the givens: often 20 lines) one per cell of a grid.
function grid(text, parent) {
  const rows = text.replace(/^\$\$\s*\\begin\{aligned\}|\\end\{aligned\}\s*\$\$$/g, "").split(" \\\\\n");
  const div = parent.appendChild(document.createElement("div"));
  div.className = "givens";
  for (const row of rows) div.appendChild(math(row.replace("&", "").trim(), false));
}

// solution_markdown's blocks → the problem (title and "#### Problem") and the steps.
function split(blocks) {
  const parts = [];
  for (const b of blocks) {
    if (b.startsWith("#### ") || b.startsWith("### ")) parts.push({heading: b, body: []});
    else parts[parts.length - 1].body.push(b);
  }
  const problem = parts.filter((p) => !p.heading.startsWith("#### ") || p.heading === "#### Problem");
  const rest = parts.filter((p) => !problem.includes(p));
  return {problem: problem.flatMap((p) => p.body), steps: rest};
}

// -- the network as SVG --------------------------------------------------------------

function network(net) {
  const box = $("network");
  box.replaceChildren();
  if (!net) return;
  const NS = "http://www.w3.org/2000/svg", dx = 150, dy = 60, r = 24;
  const tall = Math.max(...net.sizes);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${dx * (net.sizes.length - 1) + 80} ${dy * tall + 40}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `a ${net.sizes.join("-")} network`);
  const at = (l, i) => [40 + dx * l, 20 + dy * (i + 0.5 + (tall - net.sizes[l]) / 2)];
  const add = (tag, attrs, text) => {
    const el = svg.appendChild(document.createElementNS(NS, tag));
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text) el.textContent = text;
    return el;
  };
  net.sizes.forEach((n, l) => {
    if (l > 0) for (let i = 0; i < n; i++) for (let j = 0; j < net.sizes[l - 1]; j++) {
      const [x1, y1] = at(l - 1, j), [x2, y2] = at(l, i);
      add("line", {x1, y1, x2, y2, class: "edge"});
    }
  });
  net.sizes.forEach((n, l) => {
    for (let i = 0; i < n; i++) {
      const [cx, cy] = at(l, i);
      add("circle", {cx, cy, r, class: l ? "unit" : "input"});
      add("text", {x: cx, y: cy + 5, "text-anchor": "middle"}, l ? `a${l}[${i + 1}]` : `x${i + 1}`);
    }
    if (l) add("text", {x: at(l, 0)[0], y: 14, "text-anchor": "middle", class: "act"}, net.activations[l - 1]);
  });
  box.appendChild(svg);
}

// -- opening a problem ---------------------------------------------------------------

function fields(quantities) {
  const form = $("answers");
  form.replaceChildren();
  let group = null, key = null;
  for (const q of quantities) {
    const k = `${q.step}/${q.section}`;
    if (k !== key) {
      key = k;
      group = form.appendChild(document.createElement("fieldset"));
      const title = SECTIONS[q.section] + (q.step && quantities.at(-1).step > 1 ? `, step ${q.step}` : "");
      group.appendChild(document.createElement("legend")).textContent = title;
    }
    const label = group.appendChild(document.createElement("label"));
    label.appendChild(math(q.tex, false));
    label.appendChild(document.createElement("code")).textContent = q.name;
    const input = label.appendChild(document.createElement("input"));
    Object.assign(input, {type: "text", inputMode: "decimal", autocomplete: "off"});
    input.dataset.name = q.name;
    input.setAttribute("aria-label", q.name);
  }
}

async function openProblem(text, source) {
  showError("problem-error", "");
  showError("answers-error", "");
  $("report").replaceChildren();
  delete $("report").dataset.checked;
  delete $("problem-section").dataset.opened;
  status("Solving the problem exactly…");
  await pause();
  const t0 = performance.now();
  const r = call("open_problem", text, source);
  timings.open = (performance.now() - t0) / 1000;
  $("problem-section").dataset.opened = source;       // what is open (tests wait for it)
  for (const id of ["network-section", "answers-section", "solution-section"]) $(id).hidden = !r.ok;
  if (!r.ok) {
    showError("problem-error", r.error);
    status("Ready.");
    return;
  }
  $("title").textContent = r.title;
  network(r.network);
  const parts = split(r.blocks);
  $("givens").replaceChildren();
  parts.problem.forEach((b) => (b.startsWith("$$") ? grid(b, $("givens")) : block(b, $("givens"))));
  steps = parts.steps;
  shown = 0;
  $("steps").replaceChildren();
  $("next").disabled = $("all").disabled = false;
  fields(r.quantities);
  status(`Ready: ${r.quantities.length} quantities to check.`);
}

// -- checking ------------------------------------------------------------------------

function report(r) {
  const box = $("report");
  box.replaceChildren();
  const s = r.summary;
  box.appendChild(document.createElement("p")).textContent =
    `${s.exact} exact, ${s.rounded} correctly rounded, ${s.carried_forward} carried forward, ` +
    `${s.wrong} wrong (of ${s.total})`;
  const table = box.appendChild(document.createElement("table"));
  const head = table.createTHead().insertRow();
  for (const h of ["No.", "quantity", "yours", "correct", "verdict"]) {
    head.appendChild(document.createElement("th")).textContent = h;
  }
  const body = table.createTBody();
  for (const row of r.rows) {
    const tr = body.insertRow();
    tr.dataset.name = row.name;
    tr.dataset.verdict = row.verdict;
    tr.className = row.verdict;
    tr.insertCell().textContent = row.number;
    const q = tr.insertCell();
    q.appendChild(math(row.tex, false));
    q.appendChild(document.createElement("code")).textContent = row.name;
    tr.insertCell().textContent = row.given;
    tr.insertCell().textContent = row.correct;
    tr.insertCell().textContent = VERDICTS[row.verdict];
  }
  const notes = r.rows.filter((row) => row.reason);
  if (notes.length) {
    const ul = box.appendChild(document.createElement("ul"));
    ul.className = "reasons";
    for (const row of notes) {
      const li = ul.appendChild(document.createElement("li"));
      li.appendChild(document.createElement("strong")).textContent = `(${row.number}) ${row.name}: `;
      li.appendChild(document.createTextNode(row.reason));
    }
  }
}

async function check(answersText, source) {
  showError("answers-error", "");
  $("report").replaceChildren();
  delete $("report").dataset.checked;
  status("Checking…");
  await pause();
  const t0 = performance.now();
  let r;
  if (answersText === undefined) {
    const typed = {};
    for (const input of $("answers").querySelectorAll("input")) typed[input.dataset.name] = input.value;
    r = call("check_answers", JSON.stringify(typed));
  } else {
    r = JSON.parse(api.check_answers.callKwargs({answers_text: answersText, source}));
  }
  timings.check = (performance.now() - t0) / 1000;
  status(`Checked in ${timings.check.toFixed(1)} s.`);
  if (!r.ok) showError("answers-error", r.error);
  else report(r);
  $("report").dataset.checked = source || "your answers";   // what was checked (tests wait for it)
}

// -- the worked solution, a step at a time --------------------------------------------

function reveal(all) {
  do {
    if (shown >= steps.length) break;
    const step = steps[shown++];
    const div = $("steps").appendChild(document.createElement("div"));
    div.className = "step";
    block(step.heading, div);
    step.body.forEach((b) => block(b, div));
  } while (all);
  $("next").disabled = $("all").disabled = shown >= steps.length;
}

function downloadTex() {
  const r = call("worked_tex");
  if (!r.ok) return status(r.error, true);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([r.tex], {type: "application/x-tex"}));
  a.download = ($("example").value || "problem") + "-answers.tex";
  a.click();
  URL.revokeObjectURL(a.href);
}

const readFile = (input) => input.files[0].text();

// -- start ---------------------------------------------------------------------------

async function start() {
  const site = window.SYMPROP_SITE;
  $("version").textContent = site.symprop;
  if (location.protocol === "file:") {
    status("This page was opened as a file (file://). Browsers do not let such a page load " +
           "Pyodide's WebAssembly and Python files, so symprop cannot start here. Serve the " +
           "folder instead: `symprop web --out FOLDER --serve`, or `python3 -m http.server` " +
           "inside it, or put it on any web host (a course's web space).", true);
    return;
  }
  const t0 = performance.now();
  status("Loading Python (Pyodide)…");
  const py = await loadPyodide({indexURL: new URL(".", location.href).href});
  timings.pyodide = (performance.now() - t0) / 1000;
  const sitePackages = py.runPython("import site; site.getsitepackages()[0]");
  status("Loading SymPy and symprop…");
  await Promise.all(site.wheels.map(async (name) => {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`${name}: ${response.status} ${response.statusText}`);
    py.unpackArchive(await response.arrayBuffer(), "zip", {extractDir: sitePackages});
  }));
  timings.wheels = (performance.now() - t0) / 1000;
  py.runPython(BOOT);
  timings.python = (performance.now() - t0) / 1000;
  api = py.pyimport("symprop.web.browser");
  examples = call("examples");
  const select = $("example");
  select.replaceChildren(new Option("choose an exercise…", ""));
  for (const e of examples) select.appendChild(new Option(`${e.title} (${e.name})`, e.name));
  select.disabled = $("open").disabled = $("check").disabled = false;
  timings.load = (performance.now() - t0) / 1000;
  status(`Ready (loaded in ${timings.load.toFixed(1)} s). Choose an exercise.`);
}

$("example").addEventListener("change", () => {
  const e = examples.find((e) => e.name === $("example").value);
  if (!e) return;
  $("problem-text").value = e.problem;          // to edit and open as one's own
  openProblem(e.problem, `${e.name}.toml`);
});
$("open").addEventListener("click", () => {
  $("example").value = "";
  openProblem($("problem-text").value, "pasted problem");
});
$("problem-file").addEventListener("change", async (ev) => {
  if (!ev.target.files.length) return;
  const text = await readFile(ev.target);
  $("problem-text").value = text;
  $("example").value = "";
  openProblem(text, ev.target.files[0].name);
});
$("check").addEventListener("click", (ev) => { ev.preventDefault(); check(); });
$("answers").addEventListener("submit", (ev) => { ev.preventDefault(); check(); });
$("answers-file").addEventListener("change", async (ev) => {
  if (ev.target.files.length) check(await readFile(ev.target), ev.target.files[0].name);
});
$("next").addEventListener("click", () => reveal(false));
$("all").addEventListener("click", () => reveal(true));
$("tex").addEventListener("click", downloadTex);

start().catch((err) => status(`symprop could not start: ${err.message || err}`, true));
