/** A clean customers CSV of `count` rows with predictable values: row i is `user{i}@example.com`. */
export function generateCustomersCsv(count: number, options: { domain?: string; lastName?: string } = {}): string {
  const domain = options.domain ?? 'example.com';
  const lines = ['primaryEmail,firstName,lastName,primaryPhone,promotionOptIn'];
  for (let i = 1; i <= count; i++) {
    const phone = `+6141${String(i).padStart(7, '0')}`;
    lines.push(`user${i}@${domain},First${i},${options.lastName ?? `Last${i}`},${phone},${i % 2 === 0 ? 'yes' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}
