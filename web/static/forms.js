// Step forms: a field with a rule (data-required-if) is shown only while its rule holds, and a
// check-box group with data-max stops at that many. The rules are the ones the server checks
// (engine/forms/conditions.py): {field, equals} | {field, in: [...]} | {field, filled} and
// {all: [...]}, {any: [...]}, {not: {...}}. A hidden field is disabled, so it sends nothing.
(function () {
  'use strict';

  function wrapperOf(form, name) {
    return form.querySelector('[data-field="' + CSS.escape(name) + '"]');
  }

  function valueOf(form, name) {
    const wrapper = wrapperOf(form, name);
    if (!wrapper || wrapper.hidden) return null;
    const inputs = Array.from(wrapper.querySelectorAll('input, select, textarea'));
    const widget = wrapper.dataset.widget;
    if (widget === 'checkbox') return inputs.length > 0 && inputs[0].checked;
    if (widget === 'checkboxes' || widget === 'checklist') {
      return inputs.filter((input) => input.checked).map((input) => input.value);
    }
    if (widget === 'radio') {
      const chosen = inputs.find((input) => input.checked);
      return chosen ? chosen.value : null;
    }
    const text = inputs.length > 0 ? inputs[0].value.trim() : '';
    if (text === '') return null;
    return inputs[0].type === 'number' ? Number(text) : text;
  }

  function filled(value) {
    if (Array.isArray(value)) return value.length > 0;
    return value !== null && value !== false && value !== '';
  }

  function holds(rule, form) {
    if (rule.all) return rule.all.every((part) => holds(part, form));
    if (rule.any) return rule.any.some((part) => holds(part, form));
    if ('not' in rule) return !holds(rule.not, form);
    const value = valueOf(form, rule.field);
    if ('equals' in rule) {
      return Array.isArray(value) ? value.includes(rule.equals) : value === rule.equals;
    }
    if ('in' in rule) {
      return Array.isArray(value)
        ? value.some((item) => rule.in.includes(item))
        : rule.in.includes(value);
    }
    if ('filled' in rule) return filled(value) === Boolean(rule.filled);
    return true;
  }

  function show(wrapper, visible) {
    wrapper.hidden = !visible;
    wrapper.querySelectorAll('input, select, textarea').forEach((input) => {
      input.disabled = !visible;
    });
  }

  function limit(wrapper) {
    const max = Number(wrapper.dataset.max);
    const boxes = Array.from(wrapper.querySelectorAll('input[type=checkbox]'));
    const full = boxes.filter((box) => box.checked).length >= max;
    boxes.forEach((box) => {
      if (!wrapper.hidden) box.disabled = full && !box.checked;
    });
  }

  function refresh(form) {
    // Rules may read fields that are themselves conditional: settle in as many passes as fields.
    const ruled = Array.from(form.querySelectorAll('[data-required-if]'));
    for (let pass = 0; pass <= ruled.length; pass += 1) {
      let changed = false;
      ruled.forEach((wrapper) => {
        const visible = holds(JSON.parse(wrapper.dataset.requiredIf), form);
        if (visible === wrapper.hidden) {
          show(wrapper, visible);
          changed = true;
        }
      });
      if (!changed) break;
    }
    form.querySelectorAll('[data-widget=checkboxes][data-max]').forEach(limit);
  }

  // After a refused submit the first field with an error takes the focus, not the page start.
  function focusFirstError(form) {
    const wrong = form.querySelector('.has-errors:not([hidden])');
    const input = wrong && wrong.querySelector('input:not([disabled]), select, textarea');
    if (input) input.focus();
  }

  document.querySelectorAll('form.step').forEach((form) => {
    form.addEventListener('change', () => refresh(form));
    form.addEventListener('input', () => refresh(form));
    refresh(form);
    focusFirstError(form);
  });
})();
