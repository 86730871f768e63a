// The modeler's translate service: bpmn-js-i18n's Russian, completed with Reglament's own.
import community from 'bpmn-js-i18n/translations/ru';
import own from './ru.js';

export const translations = { ...community, ...own };

export function translate(template, replacements) {
  const found = translations[template] || template;
  return found.replace(/{([^}]+)}/g, (_, key) =>
    replacements && replacements[key] !== undefined ? replacements[key] : `{${key}}`,
  );
}

export default { translate: ['value', translate] };
