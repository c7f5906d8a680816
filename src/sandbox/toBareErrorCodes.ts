/**
 * The sandbox's errors as an OMS may word them (`--bare-error-codes`): the code only at the start of the message, no
 * colon after it, no `extensions.code` — `C0011E Rate limit exceeded` — which Fluent's SDK reads and a reader of
 * `extensions.code` or `C0011E:` alone would miss.
 */

/** A copy of a JSON body whose `errors[]` carry their code that way; any other body is returned as it is. */
export function toBareErrorCodes<T>(body: T): T {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { errors?: unknown }).errors)) return body;
  const { errors } = body as unknown as { errors: unknown[] };
  return {
    ...body,
    errors: errors.map((error) => {
      const json =
        typeof (error as { toJSON?: unknown })?.toJSON === 'function'
          ? (error as { toJSON(): Record<string, unknown> }).toJSON()
          : (error as Record<string, unknown>);
      const { extensions, ...rest } = json as { extensions?: Record<string, unknown>; message?: unknown };
      const { code: _code, ...otherExtensions } = extensions ?? {};
      const message =
        typeof rest.message === 'string' ? rest.message.replace(/^([CST]\d{4}[EW]):\s*/, '$1 ') : rest.message;
      return { ...rest, message, ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}) };
    }),
  } as T;
}
