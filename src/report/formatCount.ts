const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A count with thousands separators (`12,345`), the same on every machine whatever its locale. */
export function formatCount(value: number): string {
  return COUNT_FORMAT.format(value);
}
