// The properties panel's «Регламент» group: a task's role and form, a timer's deadline row, the
// clauses every element cites. Choices come from the draft's own files (window state `meta`).
import { h } from '@bpmn-io/properties-panel/preact';
import { SelectEntry, isSelectEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

const DEADLINE_CALL = /^\s*deadline\(\s*["']([^"']+)["']\s*\)\s*$/;

export function formProperty(businessObject) {
  const values = (businessObject.extensionElements && businessObject.extensionElements.values) || [];
  for (const holder of values) {
    if (holder.$type !== 'spiffworkflow:Properties') continue;
    const found = (holder.properties || []).find((property) => property.name === 'form');
    if (found) return found;
  }
  return null;
}

export function timerExpression(businessObject) {
  const definition = (businessObject.eventDefinitions || []).find(
    (item) => item.$type === 'bpmn:TimerEventDefinition',
  );
  if (!definition) return null;
  return definition.timeDate || definition.timeDuration || definition.timeCycle || null;
}

function laneName(element, registry) {
  const lane = registry.filter(
    (item) =>
      item.type === 'bpmn:Lane' &&
      (item.businessObject.flowNodeRef || []).includes(element.businessObject),
  )[0];
  return lane ? lane.businessObject.name || lane.id : null;
}

function Info(props) {
  return h(
    'div',
    { class: 'bio-properties-panel-entry reglament-info', 'data-entry-id': props.id },
    h('div', { class: 'bio-properties-panel-label' }, props.label),
    h('div', { class: 'reglament-info-value' }, props.value),
  );
}

function RoleEntry(props) {
  const translate = useService('translate');
  const registry = useService('elementRegistry');
  const value = laneName(props.element, registry) || translate('not in a lane');
  return h(Info, { id: props.id, label: translate('Role (lane)'), value });
}

function ClausesEntry(props) {
  const translate = useService('translate');
  const clauses = props.state.clauses[props.element.id] || [];
  const value = clauses.length ? clauses.join('; ') : translate('none cited');
  return h(Info, { id: props.id, label: translate('Clauses cited'), value });
}

function FormEntry(props) {
  const { element, state } = props;
  const translate = useService('translate');
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const getValue = () => (formProperty(element.businessObject) || {}).value || '';
  const setValue = (value) => setForm(element, value, modeling, bpmnFactory);
  const getOptions = () => [
    { value: '', label: translate('<none>') },
    ...Object.entries(state.meta.forms).map(([key, title]) => ({ value: key, label: `${title} (${key})` })),
  ];
  const key = getValue();
  // «Изменить форму»: the page's forms editor, at this form's declaration (web/modeler/index.js).
  const edit = key && window.reglamentEditForm
    ? h('button', { type: 'button', class: 'reglament-edit-form link', onClick: () => window.reglamentEditForm(key) }, translate('Edit the form'))
    : null;
  return h(
    'div',
    null,
    h(SelectEntry, { element, id: props.id, label: translate('Step form'), getValue, setValue, getOptions }),
    edit,
  );
}

function setForm(element, value, modeling, bpmnFactory) {
  const businessObject = element.businessObject;
  const found = formProperty(businessObject);
  if (found) {
    modeling.updateModdleProperties(element, found, { value });
    return;
  }
  const property = bpmnFactory.create('spiffworkflow:Property', { name: 'form', value });
  const holder = bpmnFactory.create('spiffworkflow:Properties', { properties: [property] });
  let extensions = businessObject.extensionElements;
  if (!extensions) {
    extensions = bpmnFactory.create('bpmn:ExtensionElements', { values: [holder] });
    modeling.updateProperties(element, { extensionElements: extensions });
  } else {
    modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, holder] });
  }
}

function DeadlineEntry(props) {
  const { element, state } = props;
  const translate = useService('translate');
  const modeling = useService('modeling');
  const expression = timerExpression(element.businessObject);
  const getValue = () => {
    const match = DEADLINE_CALL.exec((expression && expression.body) || '');
    return match ? match[1] : '';
  };
  const setValue = (name) => {
    if (expression) modeling.updateModdleProperties(element, expression, { body: `deadline("${name}")` });
  };
  const getOptions = () => [
    { value: '', label: translate('<none>') },
    ...state.meta.deadlines.map((row) => ({ value: row.name, label: `${row.name} — ${row.text}` })),
  ];
  const row = state.meta.deadlines.find((item) => item.name === getValue());
  const description = row
    ? translate('Term: {text}; {kind}; {start}; {clause}', {
        text: row.text,
        kind: translate(row.kind || 'duty'),
        start: row.start,
        clause: row.clause,
      })
    : '';
  return h(
    'div',
    null,
    h(SelectEntry, { element, id: props.id, label: translate('Deadline of the table'), getValue, setValue, getOptions }),
    description ? h('p', { class: 'reglament-deadline-row', 'data-deadline': row.name }, description) : null,
  );
}

function entries(element, state) {
  const type = element.type;
  const found = [];
  if (type === 'bpmn:UserTask') {
    found.push({ id: 'reglament-role', component: RoleEntry, element, state });
    found.push({ id: 'reglament-form', component: FormEntry, element, state, isEdited: isSelectEntryEdited });
  }
  if (timerExpression(element.businessObject)) {
    found.push({ id: 'reglament-deadline', component: DeadlineEntry, element, state, isEdited: isSelectEntryEdited });
  }
  found.push({ id: 'reglament-clauses', component: ClausesEntry, element, state });
  return found;
}

class ReglamentProvider {
  constructor(propertiesPanel, translate, reglamentState) {
    this.translate = translate;
    this.state = reglamentState;
    propertiesPanel.registerProvider(400, this);
  }

  getGroups(element) {
    return (groups) => {
      const wanted = entries(element, this.state);
      return [{ id: 'reglament', label: this.translate('Reglament'), entries: wanted }, ...groups];
    };
  }
}
ReglamentProvider.$inject = ['propertiesPanel', 'translate', 'reglamentState'];

export function reglamentPanel(state) {
  return {
    __init__: ['reglamentProvider'],
    reglamentState: ['value', state],
    reglamentProvider: ['type', ReglamentProvider],
  };
}
