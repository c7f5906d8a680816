/** One sample of the Prometheus text exposition format: `name{label="value",…} 12.5`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Reads the samples of a Prometheus text exposition (version 0.0.4, what node_exporter's textfile collector and a
 * Pushgateway take): comments and blank lines are skipped, label values unescaped (`\\`, `\"`, `\n`), a trailing
 * timestamp ignored. A line that is not a sample is skipped rather than failing the whole text: the text is an
 * earlier run's file, and one bad line must not cost the values in the others.
 */
export function parseMetricsText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseSample(line: string): MetricSample | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest.slice(1), labels);
    if (parsed === undefined) return undefined;
    rest = parsed;
  }
  const [valueText] = rest.trim().split(/\s+/);
  const value = parseValue(valueText ?? '');
  return value === undefined ? undefined : { name, labels, value };
}

/** Fills `labels` from `a="x",b="y"}…`; returns the text after the closing brace, or undefined when malformed. */
function parseLabels(text: string, labels: Record<string, string>): string | undefined {
  let rest = text.trimStart();
  for (;;) {
    if (rest.startsWith('}')) return rest.slice(1);
    const label = LABEL_NAME.exec(rest)?.[0];
    if (!label) return undefined;
    rest = rest.slice(label.length).trimStart();
    if (!rest.startsWith('="')) return undefined;
    let value = '';
    let i = 2;
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] !== '\\') {
        value += rest[i];
        continue;
      }
      i++;
      value += rest[i] === 'n' ? '\n' : (rest[i] ?? '');
    }
    if (i >= rest.length) return undefined;
    labels[label] = value;
    rest = rest.slice(i + 1).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
  }
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}
