// The regulation editor page: bpmn-js Modeler in Russian, Reglament's properties, live deploy
// checks while editing (debounced), clause badges, saving the draft by revision, its scenarios.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import spiffworkflow from './spiffworkflow.json';
import translateModule, { translate } from './translate.js';
import { reglamentPanel } from './reglament_panel.js';

const CHECK_DELAY_MS = 800; // a pause in typing, not every keystroke, asks the server

const root = document.getElementById('modeler');
const meta = JSON.parse(document.getElementById('modeler-meta').textContent);
const state = { meta, clauses: meta.clauses || {}, revision: Number(root.dataset.revision) };
const status = document.getElementById('modeler-status');

const modeler = new Modeler({
  container: '#modeler-canvas',
  propertiesPanel: {
    parent: '#modeler-properties',
    layout: { groups: { reglament: { open: true }, general: { open: true } } },
  },
  additionalModules: [
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    reglamentPanel(state),
    translateModule,
  ],
  moddleExtensions: { spiffworkflow },
});
window.reglamentModeler = modeler; // the browser tests drive edits through it

function post(url, body) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': root.dataset.csrf },
    body: JSON.stringify(body),
  }).then((response) =>
    response
      .json()
      // An HTML answer (the session ended, the form token expired) is shown, not swallowed.
      .catch(() => ({ error: `Сервер ответил ${response.status}: обновите страницу и войдите снова.` }))
      .then((data) => ({ status: response.status, data })),
  );
}

function deadlineTexts() {
  const texts = {};
  document.querySelectorAll('#modeler-deadlines tr[data-deadline]').forEach((row) => {
    texts[row.dataset.deadline] = row.querySelector('input.deadline-text').value;
  });
  return texts;
}

// The forms editor (the page's textarea), absent when the version has no forms.yaml.
const formsEditor = document.getElementById('modeler-forms');

async function current() {
  const { xml } = await modeler.saveXML({ format: true });
  return { xml, deadline_texts: deadlineTexts(), forms_yaml: formsEditor ? formsEditor.value : null };
}

// The panel's «Изменить форму»: the editor scrolled to the form's `- key:` line, selected.
window.reglamentEditForm = (key) => {
  if (!formsEditor) return;
  const found = new RegExp(`^\\s*- key: ${key}\\s*$`, 'm').exec(formsEditor.value);
  formsEditor.focus();
  if (!found) return;
  formsEditor.setSelectionRange(found.index, found.index + found[0].length);
  const line = formsEditor.value.slice(0, found.index).split('\n').length;
  formsEditor.scrollTop = Math.max(0, (line - 2) * (formsEditor.scrollHeight / formsEditor.value.split('\n').length));
};

function selectElement(id) {
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  modeler.get('selection').select(element);
  modeler.get('canvas').scrollToElement(element);
}

function showProblems(answer) {
  const list = document.getElementById('modeler-problems');
  const summary = document.getElementById('modeler-check-summary');
  list.replaceChildren();
  const problems = answer.problems || [];
  for (const problem of problems) {
    const item = document.createElement('li');
    item.className = 'check-problem-item';
    item.dataset.elementId = problem.element_id || '';
    if (problem.element_id) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.textContent = problem.element_id;
      button.addEventListener('click', () => selectElement(problem.element_id));
      item.append(button, ': ');
    }
    item.append(problem.message);
    list.append(item);
  }
  for (const warning of answer.warnings || []) {
    const item = document.createElement('li');
    item.className = 'check-warning-item';
    item.textContent = 'предупреждение: ' + warning;
    list.append(item);
  }
  summary.textContent = problems.length
    ? `Развернуть нельзя: замечаний ${problems.length}.`
    : 'Проверки деплоя пройдены: замечаний нет.';
  summary.className = problems.length ? 'check-summary check-refused' : 'check-summary check-passed';
  window.ReglamentProblemMarks.mark(modeler, problems);
  root.dataset.problems = String(problems.length);
}

function showDeadlines(rows) {
  // The worked example follows the term being typed (the real calendar, on the server).
  for (const row of rows) {
    const line = document.querySelector(`#modeler-deadlines tr[data-deadline="${CSS.escape(row.name)}"]`);
    if (!line) continue;
    line.querySelector('.deadline-example').textContent = row.example;
    line.querySelector('.deadline-counted').textContent = row.counted;
  }
}

let timer = null;
let asked = 0;
function scheduleCheck() {
  clearTimeout(timer);
  root.dataset.checked = 'pending';
  timer = setTimeout(runCheck, CHECK_DELAY_MS);
}

async function runCheck() {
  const number = ++asked;
  const { status: code, data } = await post(root.dataset.checkUrl, await current());
  if (number !== asked) return; // a later edit asked again: its answer counts
  if (code !== 200) {
    showProblems({ problems: [{ element_id: null, message: data.error || String(code) }] });
  } else {
    showProblems(data);
    showDeadlines(data.deadlines || []);
    state.clauses = data.clauses || {};
    window.ReglamentClauseBadges.draw(modeler, state.clauses);
  }
  root.dataset.checked = 'true';
}

async function save() {
  status.textContent = 'Сохранение…';
  const body = { ...(await current()), revision: state.revision };
  const { status: code, data } = await post(root.dataset.saveUrl, body);
  if (code === 200) {
    state.revision = data.revision;
    root.dataset.revision = String(data.revision);
    status.className = 'saved';
    status.textContent = data.message;
  } else {
    status.className = 'save-refused';
    status.setAttribute('role', 'alert');
    status.textContent = data.error || String(code);
  }
}

async function runScenarios() {
  const list = document.getElementById('modeler-scenarios');
  list.replaceChildren();
  status.textContent = 'Сценарии выполняются на диаграмме и таблице сроков, как они на странице…';
  const { data } = await post(root.dataset.scenariosUrl, await current());
  if (data.error) {
    status.textContent = data.error;
    return;
  }
  for (const result of data.results || []) {
    const item = document.createElement('li');
    item.className = result.passed ? 'scenario-passed' : 'scenario-failed';
    item.textContent = `${result.passed ? 'пройден' : 'НЕ ПРОЙДЕН'}: ${result.file} «${result.name}»`;
    if (!result.passed) item.textContent += ` — ${result.failure}`;
    list.append(item);
  }
  status.textContent = `Сценариев: ${(data.results || []).length}, не пройдено: ${data.failed}.`;
  root.dataset.scenarios = 'done';
}

fetch(root.dataset.xmlUrl, { credentials: 'same-origin' })
  .then((response) => response.text())
  .then((xml) => modeler.importXML(xml))
  .then(() => {
    modeler.get('canvas').zoom('fit-viewport');
    window.ReglamentClauseBadges.draw(modeler, state.clauses);
    modeler.on('commandStack.changed', scheduleCheck);
    document.querySelectorAll('#modeler-deadlines input.deadline-text').forEach((input) => {
      input.addEventListener('input', scheduleCheck);
    });
    if (formsEditor) formsEditor.addEventListener('input', scheduleCheck);
    document.getElementById('modeler-save').addEventListener('click', save);
    document.getElementById('modeler-run-scenarios').addEventListener('click', runScenarios);
    root.dataset.ready = 'true';
    return runCheck();
  })
  .catch((error) => {
    status.textContent = translate('Failed to import: {error}', { error: error.message });
    root.dataset.ready = 'error';
  });
