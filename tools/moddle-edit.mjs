// Reads a BPMN file and writes it back through bpmn-moddle (what bpmn-js exports), optionally
// changing one timer's expression: node tools/moddle-edit.mjs FILE [TIMER_EVENT_ID EXPRESSION].
// The stable-XML test uses it to produce exactly what the modeler would save.
import { readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';

const spiffworkflow = JSON.parse(
  readFileSync(new URL('../web/modeler/spiffworkflow.json', import.meta.url), 'utf8'),
);
const [file, timerId, expression] = process.argv.slice(2);
const moddle = new BpmnModdle({ spiffworkflow }); // the modeler's own descriptor
const { rootElement, elementsById, warnings } = await moddle.fromXML(readFileSync(file, 'utf8'));
if (warnings.length) {
  process.stderr.write(warnings.map((warning) => warning.message).join('\n') + '\n');
  process.exit(2);
}
if (timerId) {
  const definition = elementsById[timerId].eventDefinitions[0];
  const time = definition.timeDate || definition.timeDuration || definition.timeCycle;
  time.body = expression;
}
const { xml } = await moddle.toXML(rootElement, { format: true });
process.stdout.write(xml);
