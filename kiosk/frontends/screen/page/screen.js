// The kiosk screen: shows what the kiosk says and posts what the person presses.
// No dialog logic lives here: every question, answer word and label comes from the
// kiosk; a press posts the same words a person would type. Nothing is stored in the
// browser, and everything of a session is removed from the page when it ends.
"use strict";

const $ = (id) => document.getElementById(id);
const MAX_CAPTIONS = 40;
const SCALES = [1, 1.25, 1.5];

let socket = null;
let hello = null; // labels and command words from the kiosk's language pack
let asking = null; // the question on screen (its id), or null
let scale = 0;
let audio = null;

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function sendCommand(name) {
  if (hello) send({ type: "command", text: hello.commands[name] });
}

function answer(words) {
  if (asking === null) return;
  send({ type: "answer", text: words, question: asking });
  // One press counts once: the buttons wait for the kiosk's next question.
  for (const button of $("answers").querySelectorAll("button")) button.disabled = true;
  for (const button of $("keypad").querySelectorAll("button")) button.disabled = true;
}

function button(label, className, onPress) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = label;
  element.addEventListener("click", onPress);
  return element;
}

function show(view) {
  for (const id of ["idle-view", "question-view", "results-view"]) $(id).hidden = id !== view;
  for (const element of document.querySelectorAll(".results-only")) {
    element.hidden = view !== "results-view";
  }
}

function caption(text, kind) {
  const item = document.createElement("li");
  item.textContent = text;
  item.className = `caption-${kind}`;
  const list = $("captions");
  list.appendChild(item);
  while (list.children.length > MAX_CAPTIONS) list.removeChild(list.firstChild);
  list.scrollTop = list.scrollHeight; // the newest line, without scrolling the page
}

function onSay(event) {
  caption(event.text, event.kind);
  if (event.kind === "emergency") {
    showEmergency(event.text);
  } else if (event.kind === "result") {
    const item = document.createElement("li");
    item.textContent = event.text;
    $("results-lines").appendChild(item);
  }
}

function showEmergency(text) {
  const line = document.createElement("p");
  line.textContent = text;
  $("emergency-lines").appendChild(line);
  if ($("emergency").hidden) {
    $("emergency").hidden = false;
    $("page").inert = true;
    $("emergency-title").focus();
  }
}

function onAsk(event) {
  caption(event.text, "question");
  asking = event.question;
  show("question-view");
  $("question").textContent = event.text;
  const answers = $("answers");
  answers.replaceChildren();
  const number = event.type === "number";
  $("number").hidden = !number;
  $("number-input").value = "";
  if (!number) {
    event.words.forEach((words) => answers.appendChild(button(words, "answer", () => answer(words))));
  }
  for (const key of $("keypad").querySelectorAll("button")) key.disabled = false;
  answers.appendChild(button(hello.dont_know, "answer", () => answer(hello.dont_know)));
  // Focus goes to the question (read out by screen readers), not to an answer that a
  // stray Enter or switch press would choose; the answers are the next Tab stops.
  if (!$("page").inert) $("question").focus();
}

function onResult() {
  asking = null;
  show("results-view");
  if (!$("page").inert) $("results-title").focus();
}

function onListening(on) {
  const status = $("listening");
  status.textContent = hello ? hello.labels[on ? "listening" : "not_listening"] : "";
  status.classList.toggle("on", on);
  earcon(on);
}

// A short rising tone when the microphone opens, a falling one when it closes.
function earcon(on) {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    const now = audio.currentTime;
    tone.frequency.setValueAtTime(on ? 660 : 880, now);
    tone.frequency.linearRampToValueAtTime(on ? 880 : 660, now + 0.15);
    gain.gain.setValueAtTime(0.15, now);
    gain.gain.linearRampToValueAtTime(0, now + 0.2);
    tone.connect(gain).connect(audio.destination);
    tone.start(now);
    tone.stop(now + 0.2);
  } catch (error) {
    // No sound device: the status line still shows it.
  }
}

// The session is over: nothing of this person may stay on the page.
function clearAll() {
  asking = null;
  for (const id of ["captions", "answers", "results-lines", "emergency-lines"]) {
    $(id).replaceChildren();
  }
  $("question").textContent = "";
  $("number-input").value = "";
  $("number").hidden = true;
  $("emergency").hidden = true;
  $("page").inert = false;
  setScale(0);
  show("idle-view");
}

function setScale(index) {
  scale = index;
  document.documentElement.style.fontSize = `${SCALES[scale] * 100}%`;
  $("larger").setAttribute("aria-pressed", String(scale > 0));
}

function onHello(event) {
  hello = event;
  clearAll();
  document.documentElement.lang = event.lang;
  document.title = event.labels.title;
  $("title").textContent = event.labels.title;
  $("idle-text").textContent = event.idle;
  $("start").textContent = event.labels.start;
  $("larger").textContent = event.labels.larger_text;
  $("captions-title").textContent = event.labels.captions;
  $("results-title").textContent = event.labels.results_title;
  $("emergency-title").textContent = event.labels.emergency_title;
  $("number-label").textContent = event.labels.number_label;
  $("controls").setAttribute("aria-label", event.labels.controls);
  buildCommandButtons(event);
  buildKeypad(event.labels);
}

// One button per command the kiosk's command table puts on the screen, in its order.
function buildCommandButtons(event) {
  const rows = { controls: $("controls"), emergency: $("emergency-controls") };
  for (const row of Object.values(rows)) {
    for (const old of row.querySelectorAll("[data-command]")) old.remove();
  }
  for (const spec of event.buttons) {
    for (const row of spec.rows) {
      const resultsOnly = row === "controls" && spec.results_only;
      const classes = ["control"];
      if (spec.command === "stop") classes.push("stop");
      if (resultsOnly) classes.push("results-only");
      const element = button(event.labels[spec.command], classes.join(" "), () => sendCommand(spec.command));
      element.dataset.command = spec.command;
      element.hidden = resultsOnly && $("results-view").hidden;
      rows[row].insertBefore(element, row === "controls" ? $("larger") : null);
    }
  }
}

function buildKeypad(labels) {
  const keypad = $("keypad");
  keypad.replaceChildren();
  const input = $("number-input");
  for (const digit of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]) {
    keypad.appendChild(button(digit, "key", () => { input.value = (input.value + digit).slice(0, 3); }));
  }
  keypad.appendChild(button(labels.number_clear, "key", () => { input.value = ""; }));
  keypad.appendChild(button(labels.number_ok, "key ok", submitNumber));
}

function submitNumber() {
  const value = $("number-input").value.trim();
  if (value) answer(value);
}

const handlers = {
  hello: onHello,
  say: onSay,
  ask: onAsk,
  result: onResult,
  end: clearAll,
  listening: (event) => onListening(event.on),
  error: (event) => console.warn("the kiosk refused a message:", event.code),
};

function connect() {
  const token = new URLSearchParams(location.search).get("token");
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  socket = new WebSocket(`ws://${location.host}/ws${query}`);
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    const handler = handlers[event.event];
    if (handler) handler(event);
  });
  socket.addEventListener("close", () => {
    clearAll();
    $("listening").textContent = hello ? hello.labels.connecting : "";
    setTimeout(connect, 1000);
  });
}

function wire() {
  $("start").addEventListener("click", () => send({ type: "start" }));
  $("larger").addEventListener("click", () => setScale((scale + 1) % SCALES.length));
  $("number-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter") submitNumber();
  });
  connect();
}

document.addEventListener("DOMContentLoaded", wire);
